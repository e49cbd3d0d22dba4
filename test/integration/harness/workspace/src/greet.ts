// Fixture file for the integration tests (opened and typed into in a temp copy).
export function greet(name: string): string {
  return `Hello, ${name}!`;
}

// The redactor: secrets out of prompts before they leave the machine.
export { redact, redactWithOwnRules, type RedactOptions, type RedactionResult } from "./redact";
export { placeholderFor, type RedactionFinding } from "./findings";
export { isPlaceholderValue } from "./placeholders";
export {
  measureRedaction,
  formatMeasurement,
  type RedactionCorpus,
  type RedactionMeasurement,
  type CorpusFile,
  type PlantedSecret,
  type LookAlike,
  type StrayFinding,
  type Redactor,
} from "./measureRedaction";
export { classifySecretName } from "./secretNames";
export { judgeSecretValue } from "./secretValue";

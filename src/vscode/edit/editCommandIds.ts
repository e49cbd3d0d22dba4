// The edit commands' ids, in one place for package.json, the code actions and the tests.
export const EDIT_COMMANDS = {
  refactor: "hearth.edit.refactor",
  explain: "hearth.edit.explain",
  document: "hearth.edit.document",
  fix: "hearth.edit.fix",
  generateTests: "hearth.edit.generateTests",
  translateComments: "hearth.edit.translateComments",
  translateCode: "hearth.edit.translateCode",
  translateDocument: "hearth.edit.translateDocument",
  accept: "hearth.edit.accept",
  acceptAnyway: "hearth.edit.acceptAnyway",
  reject: "hearth.edit.reject",
  showChecks: "hearth.edit.showChecks",
} as const;

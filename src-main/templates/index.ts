/** Templates: the gallery, loading, requirements, checking against an account, import and export. */
export { type BindingChoice, chooseConnections } from './bindings.ts';
export { type CheckItem, type CheckReport, type CheckStatus, type CheckTarget, checkRequirements } from './check.ts';
export { type ExportedTemplate, exportTemplate, toTemplate } from './export.ts';
export { bundledTemplates, summarizeTemplate, type TemplateSummary } from './gallery.ts';
export {
  type ImportOptions,
  type ImportPlan,
  type ImportResult,
  importTemplate,
  planImport,
  TemplateImportError,
} from './import.ts';
export { applyInputs, type TemplateInput, templateInputs } from './inputs.ts';
export {
  BUNDLED_TEMPLATES_DIR,
  bundledTemplatePath,
  type LoadedTemplate,
  loadTemplate,
  parseTemplate,
  TemplateError,
  templateFromDocument,
} from './load.ts';
export { applyMappings, type MappingResult, type TemplateMappings } from './mappings.ts';
export {
  type ConnectionNeed,
  type CustomFieldNeed,
  type ObjectTypeNeed,
  type PipelineNeed,
  type Place,
  requiresOf,
  type TemplateRequirements,
  templateRequirements,
} from './requirements.ts';

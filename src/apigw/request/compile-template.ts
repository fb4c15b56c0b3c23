/** Compiles a mapping template at load, turning a syntax error into a message that names the template. */
import { compileTemplate, VtlSyntaxError, type CompiledTemplate } from '../mapping/vtl/index.js';

export function compileNamedTemplate(source: string, where: string): CompiledTemplate {
  try {
    return compileTemplate(source);
  } catch (error) {
    if (error instanceof VtlSyntaxError) {
      throw new Error(`${where}: invalid mapping template at line ${error.line}, column ${error.column}: ${error.message}`);
    }
    throw error;
  }
}

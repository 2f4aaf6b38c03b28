/**
 * Which files are LUML models: the one rule that discovery, instance stats
 * and push share. The Python side (`luml_notebooks.model_files`) holds the
 * same list; a test ties the two.
 */

/** The format's name and its legacy names; matched case-insensitively. */
export const MODEL_EXTENSIONS = ['.luml', '.dfs', '.fnnx', '.pyfnx'] as const;

/**
 * Whether a path (or bare file name) names a model file: a name that ends
 * with a model extension and has something before it (`.luml` alone is a
 * hidden file, not a model).
 */
export function isModelPath(path: string): boolean {
  const name = path.slice(path.lastIndexOf('/') + 1).toLowerCase();
  return MODEL_EXTENSIONS.some(
    ext => name.length > ext.length && name.endsWith(ext)
  );
}

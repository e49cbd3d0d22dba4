import { GgufHeaderError, openRegularFile } from "../core/models/ggufHeader.js";
import { StartupError } from "./startupErrors.js";

const GGUF_MAGIC = "GGUF";

/**
 * Checks a model file before llama.cpp sees it, so that the common mistakes get a
 * message naming the file and the fix instead of a native error (or a crash) from deep
 * inside the loader.
 */
export async function checkModelFile(modelPath: string): Promise<{ sizeBytes: number }> {
  let opened: Awaited<ReturnType<typeof openRegularFile>>;
  try {
    // Opened before it is looked at, without blocking (a FIFO put at the path would hold an
    // open for reading until a writer came), and checked through the descriptor: what is
    // checked is what was opened.
    opened = await openRegularFile(modelPath);
  } catch (error) {
    if (error instanceof GgufHeaderError) throw new StartupError("model_not_found", `Model path is not a file: ${modelPath}. Set hearth.model to a .gguf file or an hf: URI.`);
    throw new StartupError("model_not_found", `Model file not found: ${modelPath}. Set hearth.model to a .gguf file or an hf: URI.`, { cause: error });
  }
  const { handle, size } = opened;
  try {
    const head = Buffer.alloc(4);
    const { bytesRead } = await handle.read(head, 0, 4, 0);
    if (bytesRead < 4 || head.toString("latin1") !== GGUF_MAGIC) {
      throw new StartupError("not_gguf", `Not a GGUF model file: ${modelPath} (it does not start with "GGUF"). Choose a .gguf file, for example from a Hugging Face GGUF repository.`);
    }
    return { sizeBytes: size };
  } finally {
    await handle.close();
  }
}

/**
 * Compares the end of the last tensor with the file's size: a download that stopped
 * early leaves a valid header and missing tensor data.
 */
export function checkTensorExtent(modelPath: string, fileSize: number, tensorDataEnd: number): void {
  if (tensorDataEnd > fileSize) {
    const missing = tensorDataEnd - fileSize;
    throw new StartupError(
      "truncated_gguf",
      `Model file is truncated: ${modelPath} is ${fileSize} bytes but its tensors need ${tensorDataEnd} (${missing} bytes missing). Delete it and download it again.`,
    );
  }
}

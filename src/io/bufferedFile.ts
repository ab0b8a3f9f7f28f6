import { closeSync, writeSync } from 'node:fs';
import { flagFileError } from './errors.js';
import { openOutputFile } from './files.js';

/**
 * A file written through a 1 MB buffer: memory stays flat however long the run. It is opened by
 * the constructor, so a path that cannot be written fails before the run starts; errors name
 * the flag and the file (`--log out/run.jsonl: cannot open: no such file or directory`).
 */
export class BufferedFile {
  private readonly fd: number;
  private parts: string[] = [];
  private size = 0;

  constructor(
    private readonly path: string,
    private readonly flag: string,
  ) {
    this.fd = openOutputFile(path, flag);
  }

  write(text: string): void {
    this.parts.push(text);
    this.size += text.length;
    if (this.size >= 1 << 20) this.flush();
  }

  flush(): void {
    if (this.parts.length === 0) return;
    const text = this.parts.join('');
    this.parts = [];
    this.size = 0;
    try {
      writeSync(this.fd, text);
    } catch (e) {
      throw flagFileError(e, this.flag, this.path);
    }
  }

  close(): void {
    try {
      this.flush();
    } finally {
      closeSync(this.fd);
    }
  }
}

/**
 * Worker threads running one script, at most `size` of them, each given one message at a time in
 * the order asked. Kept for the life of the process: a worker with work keeps Node alive, an idle
 * one does not. A reply with `error` rejects its promise; any other reply resolves it.
 */
import { Worker } from 'node:worker_threads';

export type WorkerReply<T> = T | { error: string };

interface Job<Req, Res> {
  req: Req;
  resolve: (reply: Res) => void;
  reject: (err: Error) => void;
}

export class WorkerPool<Req, Res> {
  private readonly idle: Worker[] = [];
  private readonly queue: Job<Req, Res>[] = [];
  private readonly busy = new Map<Worker, Job<Req, Res>>();

  constructor(
    private readonly script: string,
    private readonly size: number,
  ) {}

  run(req: Req): Promise<Res> {
    return new Promise((resolve, reject) => {
      this.queue.push({ req, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.queue.length > 0) {
      const worker = this.idle.pop() ?? (this.busy.size < this.size ? this.spawn() : undefined);
      if (!worker) return;
      const job = this.queue.shift()!;
      this.busy.set(worker, job);
      worker.ref();
      worker.postMessage(job.req);
    }
  }

  private spawn(): Worker {
    const worker = new Worker(this.script);
    worker.on('message', (reply: WorkerReply<Res>) => {
      const job = this.busy.get(worker)!;
      this.busy.delete(worker);
      worker.unref();
      this.idle.push(worker);
      if (typeof reply === 'object' && reply !== null && 'error' in reply) job.reject(new Error(reply.error));
      else job.resolve(reply as Res);
      this.pump();
    });
    worker.on('error', (err) => {
      this.busy.get(worker)?.reject(err);
      this.busy.delete(worker);
      this.pump();
    });
    return worker;
  }
}

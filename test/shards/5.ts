import { runShard } from '../support/shard.ts';

await runShard(import.meta.url);

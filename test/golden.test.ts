/**
 * D6 — pinned bytes. The per-column SHA-256 of the reference scenarios (two of plain
 * variables, one `type: vae` and one `learned` kind from a tiny committed model, and one of
 * processes drawing normals a block at a time: random walk, AR, normal and Student-t noise). A change here is a
 * breaking change of the data format: bump FORMAT_VERSION (src/format.ts), note it in the
 * changelog, and update the hashes deliberately (scripts/print-golden.sh prints the current ones).
 */
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../src/reader/load.js';
import { generateShard } from '../src/generate/shard.js';
import { FORMAT_VERSION } from '../src/format.js';
import { columnHashes } from './helpers.js';

const GOLDEN: Record<string, Record<string, string>> = {
  'reference-frequency': {
    timestamp: '3c2ef950bf1b5c1ac8892fd1277da7934260f0a6e90bf010440dd83f0601c2cc',
    is_anomaly: 'ff3be92edd8b493cfc78b1760b78d9b3dc0bb7d3f854f638a4722b358ab3e165',
    anomaly_id: 'b284e9dcb5078fc75eaab032431869da0d952308e48fff870881478ba0a6005d',
    temperature: 'bab24f882e45a194827d05b683685e6e7583575b2373019593ac72c1524f88eb',
    pressure: 'ca3d69261483b2fc7652b355528c6c48906b79b4ba2c6a67ce87cf5b9be45ef7',
    flow: '8373eb8bb1e2129cf7f963de68a7f5074f338f49f8ecfa7bfe564368ad39ad35',
    state: '4abab6ecde1d855b437eac67a778188e3c5384dc52c4f8a5ca4a36091dbe1202',
    door_open: 'a2e7f818c5d871ccb9f3835efdd536b7fe020cf3ba718fd09f6522144e65a989',
  },
  'reference-count': {
    timestamp: '1ea39a2f8887c783b6cd69b7a6927919ec79278e59af21e8f7e6acb7fc8d8597',
    is_anomaly: '8c02515aab4c47bb72dfe2be2b5222d5091e55b2d40c57fa0f99afdd5385306c',
    anomaly_id: 'b8cde779231e0b24fc1ff9a6d9399b1aa71274ff58f09dba28b12a2345639d01',
    latency: '62b3ce3efbad44f64e334daa483ff1107d49a026307fa1b83004043a998c7420',
    code: '2523f8882ee6188b2cd580333f6acdf97cc670c66436a91095cbb9383f225480',
    bytes: '2b0ccca58f890d8f4e5fea35d994ff1eb93edf13f4902128cdaa9a742c589cd4',
    ratio: '4a0ab2ed9f34e14e7986bcaf35326ecb82d581b693a9f38899cc318f3f4401e5',
    region: '6780233f5da52e0f42865edc28b16eda514ee265a39b2d3fdf13001cfc1c68b7',
    healthy: '7425e2bccb99527307dab45ed231176e0cb5f7bdafd4dae8c527a6b0f004b81c',
  },
  'vae-chain': {
    timestamp: '40dbf83376e0f431ba834a47420840935605340b3bb2e8bb401574afcdf60a4b',
    is_anomaly: 'b3814f0bd3a655c0023003a9159faff2ef946ba0c0fcaa12aeaedc0acd5cb6b8',
    anomaly_id: '52018c043830ed05aa668f8a41fe7d83800632f25020dc0f15359095a81958f7',
    passengers: '60137f0d475f3cfbca41e065aa63a887a4efd6a341067d070db456c26887ca90',
  },
  learned: {
    timestamp: '1b0bb65c809c5e9e1ffc82b2fe4a22473ca6e6a74a8aafa9b8a84ab35092033f',
    is_anomaly: '0b73fb4ca6fa265b36de3982afe16453d0409b5a4ddb0a50da61df6666b710de',
    anomaly_id: '86a53c1c9ac223841e1f97222f6701bbca04894d51529a2aeb0141bf4cc4f58a',
    taxi: 'efabc32ee44a5393c074841d3c94b14733163534fe4670ed74d21aef681b7a00',
    load: '753c6ca02bb633f817f785ab720f8e248d25e7b72c8b7faf55f4b45695f95d05',
  },
  processes: {
    timestamp: 'd9d424bf9dcfe990ad414446dd6070f15af32517a9d89fd6d1b6397a77bacc91',
    is_anomaly: '274cce998815704361b70bd57d7f6329cd4149894e54afa5fa4b0d177457b713',
    anomaly_id: '7000f249ecb0cb8396c4b15f9fbb18bf154194e70318ca97265d0a6ab5418dba',
    walk: '1d8ee68533022410dbbde3c6a3be5916e04133a38a56cd77c720faa4ae7a9a62',
    ar: 'c9d744453cf69896395f9cad6846c6b0f2baf1fe18c4934e4901f551694fce3a',
    heavy: '441a9aa688d49aab1416db2bf2027c1c7ca2415ec9962496cef09e3cdb8e96ad',
  },
};

describe(`golden hashes (format version ${FORMAT_VERSION})`, () => {
  for (const [name, expected] of Object.entries(GOLDEN)) {
    it(`pins ${name}`, () => {
      const s = loadScenario(`test/fixtures/golden/${name}.yaml`);
      const got = columnHashes(generateShard(s, 0, s.timeline.rows));
      if (process.env['GOLDEN_PRINT']) console.log(name, JSON.stringify(got, null, 2));
      expect(FORMAT_VERSION).toBe(2);
      expect(got).toEqual(expected);
    });
  }
});

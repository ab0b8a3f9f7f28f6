/** `imageSize` is kept by image: asked again, in any order, it gives what the digest gives. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { md5 } from '../../src/model/digest.js';
import { imageSize } from '../../src/sim/controllers/deployment.js';

const fromScratch = (image: string) => 20_000_000 + (new DataView(md5(image).buffer).getUint32(0) % 60_000_000);

describe('imageSize, kept by image', () => {
  it('is the size the digest gives, however often and in whatever order it is asked (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('a', 'b:1', 'gcr.io/x/y', 'ko://z', ''), { maxLength: 20 }),
        fc.string(),
        (asked, other) => {
          for (const image of [...asked, other, ...asked.reverse()]) expect(imageSize(image)).toBe(fromScratch(image));
        },
      ),
    );
  });
});

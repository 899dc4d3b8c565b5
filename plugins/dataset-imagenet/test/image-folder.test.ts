import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { examplePath, listClasses, listImageFolder } from '../src/image-folder';
import { expectLthRejection, removeTempDirs, tempDir } from '@lth/testing';

function touch(file: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, 'x');
}


describe('ImageNet folder listing', () => {
  after(removeTempDirs);

  it('sorts classes and files by code point (Python order) and keeps *.JPEG, *.jpeg and *.jpg only', () => {
    const dir = tempDir('imagenet');
    for (const f of ['n2/b.JPEG', 'n2/B.jpg', 'n2/a.jpeg', 'n2/readme.txt', 'N1/z.JPEG', 'n10/q.JPEG', '.cache/h.JPEG']) touch(path.join(dir, f));
    fs.mkdirSync(path.join(dir, 'n2', 'sub.JPEG'));
    const l = listImageFolder(dir);
    expect(l.classes).to.deep.equal(['N1', 'n10', 'n2']);
    expect(l.names).to.deep.equal(['z.JPEG', 'q.JPEG', 'B.jpg', 'a.jpeg', 'b.JPEG']);
    expect([...l.labels]).to.deep.equal([0, 1, 2, 2, 2]);
    expect(examplePath(l, 3)).to.equal(path.join(dir, 'n2', 'a.jpeg'));
  });

  it('labels a validation split by the training classes, even when it lacks some', async () => {
    const dir = tempDir('imagenet');
    for (const f of ['train/a/1.JPEG', 'train/b/1.JPEG', 'train/c/1.JPEG', 'val/c/2.JPEG', 'val/a/3.JPEG']) touch(path.join(dir, f));
    const l = listImageFolder(path.join(dir, 'val'), listClasses(path.join(dir, 'train')));
    expect(l.classes).to.deep.equal(['a', 'b', 'c']);
    expect(l.names).to.deep.equal(['3.JPEG', '2.JPEG']);
    expect([...l.labels]).to.deep.equal([0, 2]);
    touch(path.join(dir, 'val/d/4.JPEG'));
    await expectLthRejection(() => listImageFolder(path.join(dir, 'val'), ['a', 'b', 'c']), 'DATASET_MISSING', /class folders the training split lacks: d/);
  });

  it('gives one clear error for a missing split, a flat folder, no classes or empty class folders', async () => {
    const dir = tempDir('imagenet');
    await expectLthRejection(() => listImageFolder(path.join(dir, 'train')), 'DATASET_MISSING', /train does not exist\. ImageNet must be laid out as .*<imagenetRoot>\/train\/<class>\/\*\.JPEG/);
    touch(path.join(dir, 'val/ILSVRC2012_val_00000001.JPEG'));
    await expectLthRejection(() => listImageFolder(path.join(dir, 'val')), 'DATASET_MISSING', /holds 1 image files but no class folders/);
    fs.mkdirSync(path.join(dir, 'empty'));
    await expectLthRejection(() => listImageFolder(path.join(dir, 'empty')), 'DATASET_MISSING', /has no class folders/);
    for (const f of ['t/a/1.JPEG', 't/b/notes.txt']) touch(path.join(dir, f));
    fs.mkdirSync(path.join(dir, 't/c'));
    await expectLthRejection(() => listImageFolder(path.join(dir, 't')), 'DATASET_MISSING', /2 class folders under .*t hold no \.JPEG\/\.jpg files: b, c/);
  });
});

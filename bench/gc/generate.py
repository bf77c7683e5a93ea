#!/usr/bin/env python3
"""Writes a registry storage directory in distribution's layout for the garbage collection benchmark.

The layout has REPOSITORIES repositories of MANIFESTS_PER_REPOSITORY image manifests each. Every
manifest names its own config and LAYERS_PER_MANIFEST layers, one of them shared by every image of
the repository. A fraction of the manifests is deleted the way distribution deletes them (revision
link and tag removed, blobs left), and another fraction is untagged, so a collection has both
unreferenced blobs and untagged manifests to find. Blobs are small: collection time depends on the
number of files, not their size.
"""
import hashlib
import json
import os
import sys

REPOSITORIES = int(os.environ.get("REPOSITORIES", 100))
MANIFESTS_PER_REPOSITORY = int(os.environ.get("MANIFESTS_PER_REPOSITORY", 100))
LAYERS_PER_MANIFEST = int(os.environ.get("LAYERS_PER_MANIFEST", 4))
DELETED_PERCENT = int(os.environ.get("DELETED_PERCENT", 20))
UNTAGGED_PERCENT = int(os.environ.get("UNTAGGED_PERCENT", 10))

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"


def write(path, content):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(content)


def put_blob(root, content):
    digest = hashlib.sha256(content).hexdigest()
    write(f"{root}/docker/registry/v2/blobs/sha256/{digest[:2]}/{digest}/data", content)
    return "sha256:" + digest


def link(path, digest):
    write(path + "/link", digest.encode())


def main(root):
    blobs = manifests = 0
    for r in range(REPOSITORIES):
        repo = f"{root}/docker/registry/v2/repositories/bench/repo{r:03d}"
        shared = put_blob(root, f"shared layer of repository {r}".encode())
        blobs += 1
        link(f"{repo}/_layers/sha256/{shared[7:]}", shared)
        for m in range(MANIFESTS_PER_REPOSITORY):
            config = put_blob(root, json.dumps({"repository": r, "image": m}).encode())
            layers = [shared] + [put_blob(root, f"layer {i} of image {m} in repository {r}".encode())
                                 for i in range(LAYERS_PER_MANIFEST - 1)]
            blobs += LAYERS_PER_MANIFEST
            for digest in [config] + layers[1:]:
                link(f"{repo}/_layers/sha256/{digest[7:]}", digest)
            manifest = json.dumps({
                "schemaVersion": 2, "mediaType": OCI_MANIFEST,
                "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": config, "size": 40},
                "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": d, "size": 40}
                           for d in layers],
            }).encode()
            digest = put_blob(root, manifest)
            manifests += 1
            share = m * 100 // MANIFESTS_PER_REPOSITORY
            if share < DELETED_PERCENT:
                continue  # deleted as distribution deletes: no revision link, no tag
            link(f"{repo}/_manifests/revisions/sha256/{digest[7:]}", digest)
            if share < DELETED_PERCENT + UNTAGGED_PERCENT:
                continue  # untagged
            tag = f"{repo}/_manifests/tags/t{m}"
            link(f"{tag}/current", digest)
            link(f"{tag}/index/sha256/{digest[7:]}", digest)
    print(f"wrote {manifests} manifests and {blobs} config and layer blobs under {root}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: generate.py DIRECTORY")
    main(sys.argv[1])

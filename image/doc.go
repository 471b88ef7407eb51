// Package image is stack's image store: content-addressed blobs, layers
// unpacked once each and shared by every image that has them, image configs,
// and the names (name:tag) that point at images. It imports root filesystem
// tarballs, loads and saves `docker save` and OCI layout archives, pulls from
// and pushes to OCI distribution registries, and builds from Dockerfiles
// (RUN steps through a Runner the caller gives); the engine asks it for an
// image's config and its unpacked layer directories, bottom to top, to stack
// as overlay lowerdirs.
//
// On disk, under <root>/image (mode 0700: layer trees hold setuid files and
// device nodes that no host user but root may reach):
//
//	blobs/sha256/<hex>          configs, manifests, and layer blobs as they arrived
//	                            (compressed or not), so save and push copy bytes
//	layers/sha256/<hex>/        one per diffID (sha256 of the uncompressed layer)
//	    tree/                   the unpacked layer, whiteouts in overlayfs format
//	    layer.json              diffID and size of the tree
//	images/sha256/<hex>.json    one per image ID (the config's digest): its manifest
//	                            digest, size and when it was stored
//	build/cache/<key>.json      a build step's result (its layer, or none) by the
//	                            hash of the layers below it and its inputs
//	references.json             name:tag -> image ID, replaced atomically
//	references.lock             flock held while references or images change
//	gc.lock                     flock: shared by imports, loads, pulls and builds
//	                            until they commit, exclusive by GC
//	tmp/                        work in progress, on the same file system
//
// Every file is written to tmp (or beside its target), fsynced and renamed into
// place; a layer is unpacked into tmp and renamed into layers/ whole, so a
// layer directory that exists is complete. Two processes unpacking the same
// layer both finish; the second rename fails and its copy is discarded.
// Garbage collection (after Remove, or GC) deletes the layers and blobs that no
// image and no build cache record references, and whatever tmp holds; it runs
// only while no import, load, pull or build holds gc.lock, so nothing in
// progress is swept away. PruneBuildCache drops the cache records first.
package image

package io.entrepot.registry;

/** A manifest as stored: its digest, media type and the exact bytes the client pushed. */
public record StoredManifest(Digest digest, String mediaType, byte[] content) {}

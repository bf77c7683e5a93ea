package io.entrepot.registry;

/**
 * What the registry knows of a piece of content without reading it: its media type, digest and
 * size. The media type of a blob is not stored and is reported as
 * {@code application/octet-stream}.
 */
public record Descriptor(String mediaType, Digest digest, long size) {

    public static final String OCTET_STREAM = "application/octet-stream";
}

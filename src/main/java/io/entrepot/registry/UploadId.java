package io.entrepot.registry;

import java.util.UUID;
import java.util.regex.Pattern;

/** The identifier of an upload session: a UUID, as distribution issues them. */
public record UploadId(String value) {

    private static final Pattern FORMAT = Pattern.compile("[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}");

    public UploadId {
        if (value == null || !FORMAT.matcher(value).matches()) {
            throw RegistryException.uploadUnknown(value == null ? "" : value.length() > 80 ? value.substring(0, 80) + "..." : value);
        }
    }

    public static UploadId random() {
        return new UploadId(UUID.randomUUID().toString());
    }

    @Override
    public String toString() {
        return value;
    }
}

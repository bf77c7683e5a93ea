package io.entrepot.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Maps {@code storage.redirect} and {@code middleware.storage} to {@link StorageConfig.Redirect}. */
final class RedirectConfigReader {

    private final ValueReader reader;

    RedirectConfigReader(ValueReader reader) {
        this.reader = reader;
    }

    StorageConfig.Redirect read() {
        boolean disabled = reader.bool("storage.redirect.disable", false);
        Duration expiry = reader.duration("storage.redirect.expiry", StorageConfig.Redirect.DEFAULT_EXPIRY);
        if (expiry.isZero() || expiry.compareTo(Duration.ofDays(7)) > 0) {
            // SigV4 presigned URLs are valid for at most 7 days.
            reader.problem("storage.redirect.expiry", "must be greater than zero and at most 168h", reader.node("storage.redirect.expiry"));
            expiry = StorageConfig.Redirect.DEFAULT_EXPIRY;
        }
        return new StorageConfig.Redirect(disabled, expiry, middleware());
    }

    private List<StorageConfig.StorageMiddleware> middleware() {
        JsonNode list = reader.node("middleware.storage");
        if (list == null) {
            return List.of();
        }
        if (!list.isArray()) {
            reader.problem("middleware.storage", "must be a list of entries with a name and options", list);
            return List.of();
        }
        List<StorageConfig.StorageMiddleware> result = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            String key = "middleware.storage." + i;
            String name = reader.string(key + ".name", "");
            StorageConfig.StorageMiddleware entry = switch (name) {
                case "cloudfront" -> cloudFront(key + ".options");
                case "redirect" -> new StorageConfig.BaseUrlRedirect(url(key + ".options.baseurl"));
                default -> {
                    reader.problem(key + ".name", "unknown storage middleware, use cloudfront or redirect", reader.node(key + ".name"));
                    yield null;
                }
            };
            if (entry != null) {
                result.add(entry);
            }
        }
        return List.copyOf(result);
    }

    private StorageConfig.CloudFront cloudFront(String options) {
        URI baseUrl = url(options + ".baseurl");
        Path privateKey = privateKey(options + ".privatekey");
        String keyPairId = reader.string(options + ".keypairid", "");
        if (keyPairId.isBlank()) {
            reader.problem(options + ".keypairid", "missing, set the id of the CloudFront key pair or public key", null);
        }
        Duration duration = reader.duration(options + ".duration", StorageConfig.CloudFront.DEFAULT_DURATION);
        if (duration.isZero()) {
            reader.problem(options + ".duration", "must be greater than zero", reader.node(options + ".duration"));
        }

        String ipFilteredBy = reader.string(options + ".ipfilteredby", "none");
        switch (ipFilteredBy) {
            case "none" -> { }
            // TODO: the aws and awsregion filters need AWS's ip-ranges.json, which Entrepot cannot fetch yet.
            case "aws", "awsregion" -> reader.problem(options + ".ipfilteredby", "is not supported yet, because the AWS IP"
                    + " ranges source it needs is not fetched by Entrepot; use none", reader.node(options + ".ipfilteredby"));
            default -> reader.problem(options + ".ipfilteredby", "must be none, aws or awsregion", reader.node(options + ".ipfilteredby"));
        }
        String regions = reader.string(options + ".awsregion", "");
        List<String> awsRegions = regions.isBlank() ? List.of()
                : Arrays.stream(regions.split(",")).map(String::trim).filter(r -> !r.isEmpty()).toList();
        Duration updateFrequency = reader.duration(options + ".updatefrequency", StorageConfig.CloudFront.DEFAULT_UPDATE_FREQUENCY);
        return new StorageConfig.CloudFront(baseUrl, privateKey, keyPairId, duration, ipFilteredBy, awsRegions, updateFrequency);
    }

    private Path privateKey(String key) {
        String value = reader.string(key, "");
        if (value.isBlank()) {
            reader.problem(key, "missing, set the path of the PEM file with the CloudFront private key", null);
            return null;
        }
        Path path = Path.of(value);
        if (!Files.isReadable(path)) {
            reader.problem(key, "file not found or not readable", reader.node(key));
        }
        return path;
    }

    private URI url(String key) {
        String value = reader.string(key, "");
        if (value.isBlank()) {
            reader.problem(key, "missing, set an absolute http or https URL", null);
            return null;
        }
        try {
            URI uri = new URI(value);
            if (uri.getScheme() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https")) || uri.getHost() == null) {
                reader.problem(key, "must be an absolute http or https URL, such as https://d111111abcdef8.cloudfront.net", reader.node(key));
                return null;
            }
            return uri;
        } catch (URISyntaxException e) {
            reader.problem(key, "invalid URL, " + e.getReason(), reader.node(key));
            return null;
        }
    }
}

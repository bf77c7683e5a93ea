package io.entrepot.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.entrepot.registry.Digest;
import io.entrepot.registry.MediaTypes;
import io.entrepot.registry.ReferrerIndex.Referrer;
import io.entrepot.registry.Registry;
import io.entrepot.registry.RegistryException;
import io.entrepot.registry.RepositoryName;
import io.entrepot.registry.Tag;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.eclipse.jetty.http.HttpHeader;

/** The read-only listings: tags, catalog and referrers. */
final class ListingHandler {

    /** Largest page a client may request; larger values of {@code n} are reduced to it. */
    static final int MAX_PAGE = 10_000;
    /** Catalog page when the client gives no {@code n}, as distribution's default. */
    static final int DEFAULT_CATALOG_PAGE = 100;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Registry registry;

    ListingHandler(Registry registry) {
        this.registry = registry;
    }

    // GET /v2/<name>/tags/list[?n=<n>&last=<last>]
    void listTags(Exchange exchange, RepositoryName repository) throws IOException {
        int limit = exchange.pageSize(Integer.MAX_VALUE, Integer.MAX_VALUE);
        String last = exchange.query("last");
        if (!registry.catalog().exists(repository)) {
            throw RegistryException.nameUnknown(repository);
        }

        List<String> tags = new ArrayList<>();
        boolean more = false;
        for (Tag tag : registry.tags().list(repository)) {
            if (last != null && tag.value().compareTo(last) <= 0) {
                continue;
            }
            if (tags.size() == limit) {
                more = true;
                break;
            }
            tags.add(tag.value());
        }

        if (more && !tags.isEmpty()) {
            setNextLink(exchange, "v2/" + repository + "/tags/list", limit, tags.getLast());
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", repository.value());
        body.put("tags", tags);
        exchange.send(200, "application/json", JSON.writeValueAsBytes(body));
    }

    /**
     * Lists a page of the repositories that {@code listed} accepts. {@code n} counts listed
     * repositories, and {@code last} in the {@code Link} header is the last one listed, so pages
     * join up however many hidden repositories lie between them.
     */
    // GET /v2/_catalog[?n=<n>&last=<last>]
    void listRepositories(Exchange exchange, Predicate<RepositoryName> listed) throws IOException {
        int limit = exchange.pageSize(DEFAULT_CATALOG_PAGE, MAX_PAGE);
        String last = exchange.query("last");

        List<RepositoryName> page = listedPage(last, limit + 1, listed);
        boolean more = page.size() > limit;
        List<String> names = page.stream().limit(limit).map(RepositoryName::value).toList();

        if (more && !names.isEmpty()) {
            setNextLink(exchange, "v2/_catalog", limit, names.getLast());
        }
        exchange.send(200, "application/json", JSON.writeValueAsBytes(Map.of("repositories", names)));
    }

    /**
     * Returns up to {@code count} repositories after {@code last} that {@code listed} accepts,
     * reading the catalog in pages until enough are found or it ends.
     */
    // TODO: a caller who may read few repositories of a large catalog makes this read the whole catalog on every page.
    private List<RepositoryName> listedPage(String last, int count, Predicate<RepositoryName> listed) throws IOException {
        List<RepositoryName> page = new ArrayList<>();
        String after = last;
        while (page.size() < count) {
            List<RepositoryName> batch = registry.catalog().list(after, Math.max(count, DEFAULT_CATALOG_PAGE));
            for (RepositoryName name : batch) {
                if (page.size() < count && listed.test(name)) {
                    page.add(name);
                }
            }
            if (batch.size() < Math.max(count, DEFAULT_CATALOG_PAGE)) {
                break;
            }
            after = batch.getLast().value();
        }
        return page;
    }

    // GET /v2/<name>/referrers/<digest>[?artifactType=<type>]
    void listReferrers(Exchange exchange, RepositoryName repository, Digest subject) throws IOException {
        String artifactType = exchange.query("artifactType");

        List<Map<String, Object>> manifests = new ArrayList<>();
        for (Referrer referrer : registry.manifests().referrers().list(repository, subject, artifactType)) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("mediaType", referrer.descriptor().mediaType());
            entry.put("digest", referrer.descriptor().digest().toString());
            entry.put("size", referrer.descriptor().size());
            if (referrer.artifactType() != null) {
                entry.put("artifactType", referrer.artifactType());
            }
            if (!referrer.annotations().isEmpty()) {
                entry.put("annotations", referrer.annotations());
            }
            manifests.add(entry);
        }

        if (artifactType != null) {
            exchange.setHeader("OCI-Filters-Applied", "artifactType");
        }
        Map<String, Object> index = new LinkedHashMap<>();
        index.put("schemaVersion", 2);
        index.put("mediaType", MediaTypes.OCI_INDEX);
        index.put("manifests", manifests);
        exchange.send(200, MediaTypes.OCI_INDEX, JSON.writeValueAsBytes(index));
    }

    /** Sets the RFC 5988 {@code Link} header to the next page, as a path relative to the host. */
    private static void setNextLink(Exchange exchange, String apiPath, int limit, String last) {
        String url = exchange.urls().prefix() + apiPath + "?n=" + limit + "&last=" + URLEncoder.encode(last, StandardCharsets.UTF_8);
        exchange.setHeader(HttpHeader.LINK, "<" + url + ">; rel=\"next\"");
    }
}

package io.entrepot.http;

import io.entrepot.auth.Access;
import java.util.List;

/**
 * The access each API request needs before it is served, in the terms of Docker's token scopes,
 * as distribution's access controller requests them: pull to read, pull and push to write,
 * delete to delete, and nothing beyond authentication for {@code GET /v2/}. Every request on an
 * upload session needs push.
 *
 * <p>Two decisions are left to the request itself. The catalog needs {@code registry:catalog:*}
 * when the credentials carry their grants (tokens), but only authentication when an access
 * policy decides, because the listing is then filtered to what the caller may pull. The source
 * of a cross-repository mount is not required either: a mount from a repository the caller may
 * not pull becomes a plain upload instead of an error.
 */
final class RequestAccess {

    private RequestAccess() {}

    /**
     * Returns the access that {@code method} on {@code route} needs.
     *
     * @param repository the repository in the path, or null for the routes without one
     * @param policyFiltersCatalog whether an access policy filters the catalog per caller
     */
    static List<Access> required(ApiHandler.Route route, String method, String repository, boolean policyFiltersCatalog) {
        return switch (route) {
            case BASE -> List.of();
            case CATALOG -> policyFiltersCatalog ? List.of() : List.of(Access.catalog());
            // An upload session belongs to a push, so checking or cancelling one needs push, not the
            // pull or delete that distribution requires for its GET and DELETE.
            case UPLOADS, UPLOAD -> List.of(Access.pull(repository), Access.push(repository));
            case TAGS, MANIFEST, BLOB, REFERRERS -> switch (method) {
                case "GET", "HEAD" -> List.of(Access.pull(repository));
                case "DELETE" -> List.of(Access.delete(repository));
                // PUT, POST and PATCH, and every other method, which the handler then rejects with 405.
                default -> List.of(Access.pull(repository), Access.push(repository));
            };
        };
    }
}

package io.entrepot.auth;

import io.entrepot.registry.RegistryException;
import io.entrepot.registry.RepositoryName;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Parses the {@code scope} parameter of a token request, as Docker's token specification writes
 * it: {@code type:name:actions}, such as {@code repository:team/app:pull,push} or
 * {@code registry:catalog:*}.
 *
 * <p>The type ends at the first colon and the actions start after the last one, so the name of
 * a resource of another type may contain colons. A repository name must follow the same grammar
 * as the repository in an API path ({@link RepositoryName}): a scope for a name the registry
 * would reject, such as {@code Team-A/app} or {@code localhost:5000/team/app}, is malformed and
 * rejected, rather than silently granted nothing. A scope of a type the token server does not
 * know, or with an action it does not grant, is well formed and left out of the token, as
 * Docker's token specification allows. A type may carry a class in brackets, such as
 * {@code repository(plugin)}; the class is dropped, because no access rule depends on it.
 */
public final class Scopes {

    /** Bound on the scopes of one request, far above the two or three that clients send. */
    static final int MAX_SCOPES = 100;

    private static final int MAX_SCOPE_LENGTH = 512;

    private static final Pattern TYPE = Pattern.compile("[a-z0-9]+(?:\\([a-z0-9]+\\))?");

    private static final Pattern ACTION = Pattern.compile("[a-z]+|\\*");

    private Scopes() {}

    /**
     * Parses every scope in {@code values}. Each value may hold several scopes separated by spaces,
     * as the OAuth2 form of the request sends them.
     *
     * @throws TokenRequestException with {@link TokenRequestException.Kind#INVALID_REQUEST} naming
     *     the first malformed scope, or when there are more than {@value #MAX_SCOPES}
     */
    public static List<Access> parse(List<String> values) throws TokenRequestException {
        List<String> scopes = new ArrayList<>();
        for (String value : values) {
            for (String scope : value.split(" ")) {
                if (!scope.isEmpty()) {
                    scopes.add(scope);
                }
            }
        }
        if (scopes.size() > MAX_SCOPES) {
            throw TokenRequestException.invalidRequest("too many scopes: " + scopes.size() + ", at most " + MAX_SCOPES);
        }
        List<Access> accesses = new ArrayList<>();
        for (String scope : scopes) {
            accesses.addAll(parseOne(scope));
        }
        return accesses;
    }

    /** Parses one {@code type:name:actions} scope into one access per action. */
    static List<Access> parseOne(String scope) throws TokenRequestException {
        if (scope.length() > MAX_SCOPE_LENGTH) {
            throw invalid(scope.substring(0, 64) + "...", "longer than " + MAX_SCOPE_LENGTH + " characters");
        }

        int first = scope.indexOf(':');
        int last = scope.lastIndexOf(':');
        if (first < 0 || first == last) {
            throw invalid(scope, "expected type:name:actions");
        }
        String type = scope.substring(0, first);
        String name = scope.substring(first + 1, last);
        String actions = scope.substring(last + 1);

        if (!TYPE.matcher(type).matches()) {
            throw invalid(scope, "the resource type must be lower-case letters and digits, optionally followed by a class in"
                    + " parentheses such as repository(plugin)");
        }
        if (type.contains("(")) {
            type = type.substring(0, type.indexOf('('));
        }

        if (name.isEmpty()) {
            throw invalid(scope, "the resource name is empty");
        }
        if (type.equals("repository")) {
            try {
                RepositoryName.parse(name);
            } catch (RegistryException e) {
                throw invalid(scope, e.getMessage());
            }
        }

        List<Access> accesses = new ArrayList<>();
        for (String action : actions.split(",", -1)) {
            if (!ACTION.matcher(action).matches()) {
                throw invalid(scope, "invalid action '" + action + "', expected names such as pull, push, delete or *");
            }
            Access access = new Access(type, name, action);
            if (!accesses.contains(access)) {
                accesses.add(access);
            }
        }
        return accesses;
    }

    private static TokenRequestException invalid(String scope, String reason) {
        return TokenRequestException.invalidRequest("invalid scope " + scope + ": " + reason);
    }
}

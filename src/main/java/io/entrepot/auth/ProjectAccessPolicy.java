package io.entrepot.auth;

import io.entrepot.config.AccessConfig;
import io.entrepot.config.AccessConfig.Role;
import io.entrepot.registry.Glob;
import io.entrepot.registry.RepositoryName;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code access} section as an {@link AccessPolicy}: roles per project, granted to users,
 * groups and robot accounts.
 *
 * <p>A project is the first component of a repository name, or the whole name when it has no
 * slash, so {@code alpine} is project {@code alpine}. A principal's role in a project is the
 * highest role that any matching entry gives to its name or to one of its groups. A project
 * that no entry matches gives every authenticated principal the default role. Anonymous pull
 * allowed by an entry applies to every principal, so that logging in never loses access.
 *
 * <p>Global admins may do everything, and only they receive {@code registry:catalog:*}, the
 * whole catalog. Other callers see a catalog filtered to what they may pull, which the registry
 * builds with {@link #granted} per repository. Names that are not valid repository names are
 * never granted anything, so that a malformed name cannot borrow the project of its prefix.
 */
public final class ProjectAccessPolicy implements AccessPolicy {

    private static final String PULL = "pull";
    private static final String PUSH = "push";
    private static final String DELETE = "delete";
    private static final String ALL = "*";

    private record Entry(Glob project, AccessConfig.Project grants) {}

    private final AccessConfig.Grantees admins;
    private final Role defaultRole;
    private final List<Entry> entries;

    /** Creates the policy of an {@code access} section that {@code ConfigLoader} has checked. */
    public ProjectAccessPolicy(AccessConfig config) {
        this.admins = config.admins();
        this.defaultRole = config.defaultRole();
        List<Entry> compiled = new ArrayList<>();
        for (AccessConfig.Project project : config.projects()) {
            compiled.add(new Entry(Glob.of(project.pattern()), project));
        }
        this.entries = List.copyOf(compiled);
    }

    @Override
    public Set<Access> granted(Principal principal, Collection<Access> requested) {
        Set<Access> granted = new LinkedHashSet<>();
        boolean admin = isAdmin(principal);
        for (Access access : requested) {
            if (admin || grants(principal, access)) {
                granted.add(access);
            }
        }
        return granted;
    }

    /** Returns whether {@code principal} is a global admin: named in {@code access.admins} or in one of its groups. */
    public boolean isAdmin(Principal principal) {
        return switch (principal.kind()) {
            case ANONYMOUS -> false;
            case USER -> admins.users().contains(principal.name()) || principal.groups().stream().anyMatch(admins.groups()::contains);
            case ROBOT -> admins.robots().contains(principal.name()) || principal.groups().stream().anyMatch(admins.groups()::contains);
        };
    }

    private boolean grants(Principal principal, Access access) {
        if (!access.type().equals("repository") || !RepositoryName.isValid(access.name())) {
            return false;
        }
        Role role = role(principal, project(access.name()));
        return role != null && actions(role).contains(access.action());
    }

    /**
     * Returns the highest role of {@code principal} in {@code project}, or null for none. An
     * anonymous pull grant counts as the reader role.
     */
    Role role(Principal principal, String project) {
        Role best = null;
        boolean matched = false;
        for (Entry entry : entries) {
            if (!entry.project().matches(project)) {
                continue;
            }
            matched = true;
            AccessConfig.Project grants = entry.grants();
            if (grants.anonymousPull()) {
                best = higher(best, Role.READER);
            }
            best = higher(best, roleOf(principal, grants));
        }
        if (!matched && !principal.anonymous()) {
            best = defaultRole;
        }
        return best;
    }

    private static Role roleOf(Principal principal, AccessConfig.Project grants) {
        Map<String, Role> byName = switch (principal.kind()) {
            case ANONYMOUS -> Map.of();
            case USER -> grants.users();
            case ROBOT -> grants.robots();
        };
        Role best = byName.get(principal.name());
        for (String group : principal.groups()) {
            best = higher(best, grants.groups().get(group));
        }
        return best;
    }

    private static Role higher(Role a, Role b) {
        if (a == null) {
            return b;
        }
        return b == null || a.compareTo(b) >= 0 ? a : b;
    }

    /** Returns the project of a repository name: its first component. */
    static String project(String repository) {
        int slash = repository.indexOf('/');
        return slash < 0 ? repository : repository.substring(0, slash);
    }

    /** Returns the actions of {@code role}. Only admin has {@code *}, which a token scope uses to request every action. */
    static Set<String> actions(Role role) {
        return switch (role) {
            case READER -> Set.of(PULL);
            case DEVELOPER -> Set.of(PULL, PUSH);
            case MAINTAINER -> Set.of(PULL, PUSH, DELETE);
            case ADMIN -> Set.of(PULL, PUSH, DELETE, ALL);
        };
    }
}

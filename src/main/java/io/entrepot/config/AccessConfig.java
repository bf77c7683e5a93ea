package io.entrepot.config;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Entrepot's own {@code access} section: who may pull, push and delete in which project. A
 * project is the first component of a repository name ({@code team-a} for {@code team-a/app});
 * a name without a slash, such as {@code alpine}, is its own project.
 *
 * @param enabled whether the section is present; when false, the authentication scheme alone decides
 * @param admins the principals that may do everything, including listing the whole catalog
 * @param defaultRole the role of every authenticated principal in a project that no entry of
 *     {@code projects} matches, or null for no access ({@code access.default: none})
 * @param projects the project entries, in the order written. Every entry whose pattern matches a
 *     project adds its grants, and a principal gets the highest role that any of them gives
 */
public record AccessConfig(boolean enabled, Grantees admins, Role defaultRole, List<Project> projects) {

    /** A role in a project; each role includes the actions of the ones before it. */
    public enum Role {
        /** Pull. */
        READER,
        /** Pull and push. */
        DEVELOPER,
        /** Pull, push and delete. */
        MAINTAINER,
        /** Every action on the project's repositories. */
        ADMIN;

        /** Returns the name written in the configuration, such as {@code developer}. */
        public String configName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** User, group and robot account names. */
    public record Grantees(Set<String> users, Set<String> groups, Set<String> robots) {

        public static final Grantees NONE = new Grantees(Set.of(), Set.of(), Set.of());

        public Grantees {
            users = Set.copyOf(users);
            groups = Set.copyOf(groups);
            robots = Set.copyOf(robots);
        }
    }

    /**
     * One entry of {@code access.projects}.
     *
     * @param pattern a project name, or a pattern in which {@code *} matches any run of characters
     * @param anonymousPull whether clients without credentials may pull ({@code anonymous: pull})
     * @param users role of each user name
     * @param groups role of each group name, such as an LDAP group
     * @param robots role of each robot account name
     */
    public record Project(String pattern, boolean anonymousPull, Map<String, Role> users, Map<String, Role> groups,
            Map<String, Role> robots) {

        public Project {
            users = Map.copyOf(users);
            groups = Map.copyOf(groups);
            robots = Map.copyOf(robots);
        }
    }

    /** No {@code access} section: the authentication scheme alone decides. */
    public static final AccessConfig NONE = new AccessConfig(false, Grantees.NONE, null, List.of());

    public AccessConfig {
        projects = List.copyOf(projects);
    }
}

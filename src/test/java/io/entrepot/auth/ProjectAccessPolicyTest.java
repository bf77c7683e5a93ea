package io.entrepot.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.entrepot.config.AccessConfig;
import io.entrepot.config.AccessConfig.Role;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** {@link ProjectAccessPolicy} as a table: each role and action, groups, robots, anonymous clients, patterns and the catalog. */
class ProjectAccessPolicyTest {

    private static final AccessConfig CONFIG = new AccessConfig(true,
            new AccessConfig.Grantees(Set.of("root"), Set.of("registry-admins"), Set.of("release-bot")),
            null,
            List.of(
                    project("team-a", false,
                            Map.of("rita", Role.READER, "dave", Role.DEVELOPER, "mia", Role.MAINTAINER, "ada", Role.ADMIN),
                            Map.of("team-a-devs", Role.DEVELOPER),
                            Map.of("ci-a", Role.DEVELOPER)),
                    project("pub", true, Map.of("rita", Role.DEVELOPER), Map.of(), Map.of()),
                    project("team-*", false, Map.of(), Map.of("staff", Role.READER), Map.of()),
                    project("alpine", false, Map.of("dave", Role.READER), Map.of(), Map.of())));

    private static final ProjectAccessPolicy POLICY = new ProjectAccessPolicy(CONFIG);

    private static final Principal RITA = Principal.user("rita");
    private static final Principal DAVE = Principal.user("dave");
    private static final Principal MIA = Principal.user("mia");
    private static final Principal ADA = Principal.user("ada");
    private static final Principal ROOT = Principal.user("root");
    private static final Principal NOBODY = Principal.user("nobody");
    private static final Principal GROUP_DEV = new Principal("gus", Principal.Kind.USER, Set.of("team-a-devs"));
    private static final Principal STAFF = new Principal("sam", Principal.Kind.USER, Set.of("staff"));
    private static final Principal GROUP_ADMIN = new Principal("gina", Principal.Kind.USER, Set.of("registry-admins"));
    private static final Principal CI_ROBOT = new Principal("ci-a", Principal.Kind.ROBOT, Set.of());
    private static final Principal RELEASE_ROBOT = new Principal("release-bot", Principal.Kind.ROBOT, Set.of());
    /** A user that happens to share a robot's name gets none of the robot's grants. */
    private static final Principal CI_USER = Principal.user("ci-a");
    /** A robot that happens to share a user's name gets none of the user's grants. */
    private static final Principal DAVE_ROBOT = new Principal("dave", Principal.Kind.ROBOT, Set.of());
    private static final Principal ANONYMOUS = Principal.ANONYMOUS;

    static Stream<Arguments> decisions() {
        return Stream.of(
                // Each role by action, in project team-a.
                row(RITA, Access.pull("team-a/app"), true),
                row(RITA, Access.push("team-a/app"), false),
                row(RITA, Access.delete("team-a/app"), false),
                row(DAVE, Access.pull("team-a/app"), true),
                row(DAVE, Access.push("team-a/app"), true),
                row(DAVE, Access.delete("team-a/app"), false),
                row(MIA, Access.pull("team-a/app"), true),
                row(MIA, Access.push("team-a/app"), true),
                row(MIA, Access.delete("team-a/app"), true),
                row(MIA, all("team-a/app"), false),
                row(ADA, Access.delete("team-a/app"), true),
                row(ADA, all("team-a/app"), true),
                // Deeper names belong to the same project; the project name alone is a repository of it.
                row(DAVE, Access.push("team-a/tools/builder"), true),
                row(DAVE, Access.push("team-a"), true),
                // A project is the whole first component, not a prefix of it.
                row(DAVE, Access.pull("team-ab/app"), false),
                row(DAVE, Access.pull("team/a"), false),
                // Another project's grants do not leak.
                row(DAVE, Access.pull("team-b/app"), false),
                row(NOBODY, Access.pull("team-a/app"), false),
                // A single-component name is its own project.
                row(DAVE, Access.pull("alpine"), true),
                row(DAVE, Access.push("alpine"), false),
                row(DAVE, Access.pull("alpine/extra"), true),
                // Groups.
                row(GROUP_DEV, Access.push("team-a/app"), true),
                row(GROUP_DEV, Access.delete("team-a/app"), false),
                // Patterns: team-* gives staff reader in every team project, and adds to team-a's own entry.
                row(STAFF, Access.pull("team-b/app"), true),
                row(STAFF, Access.pull("team-a/app"), true),
                row(STAFF, Access.push("team-b/app"), false),
                row(STAFF, Access.pull("teamb/app"), false),
                row(STAFF, Access.pull("pub/app"), true),
                row(STAFF, Access.pull("other/app"), false),
                // Robots are matched by robot grants only.
                row(CI_ROBOT, Access.push("team-a/app"), true),
                row(CI_USER, Access.push("team-a/app"), false),
                row(DAVE_ROBOT, Access.push("team-a/app"), false),
                // Anonymous pull applies to everyone, and to nothing else.
                row(ANONYMOUS, Access.pull("pub/app"), true),
                row(ANONYMOUS, Access.push("pub/app"), false),
                row(ANONYMOUS, Access.delete("pub/app"), false),
                row(ANONYMOUS, Access.pull("team-a/app"), false),
                row(NOBODY, Access.pull("pub/app"), true),
                row(RITA, Access.push("pub/app"), true),
                // Global admins, by name, group or robot name, may do everything, including the catalog.
                row(ROOT, Access.delete("anything/at/all"), true),
                row(ROOT, all("team-a/app"), true),
                row(ROOT, Access.catalog(), true),
                row(GROUP_ADMIN, Access.push("team-b/app"), true),
                row(GROUP_ADMIN, Access.catalog(), true),
                row(RELEASE_ROBOT, Access.push("team-b/app"), true),
                // The whole catalog is for global admins only, even for a project admin.
                row(ADA, Access.catalog(), false),
                row(DAVE, Access.catalog(), false),
                row(ANONYMOUS, Access.catalog(), false),
                // Malformed names and unknown resource types are never granted.
                row(DAVE, Access.pull("team-a/../team-b/app"), false),
                row(DAVE, Access.pull("Team-a/app"), false),
                row(DAVE, Access.pull("team-a//app"), false),
                row(DAVE, new Access("registry", "team-a", "pull"), false),
                row(MIA, new Access("repository", "team-a/app", "list"), false));
    }

    @ParameterizedTest(name = "{0} {1}: {2}")
    @MethodSource("decisions")
    void granted_decidesEachAccess(Principal principal, Access access, boolean expected) {
        Set<Access> granted = POLICY.granted(principal, List.of(access));

        assertThat(granted.contains(access)).isEqualTo(expected);
        assertThat(POLICY.permits(principal, List.of(access))).isEqualTo(expected);
    }

    @Test
    void granted_keepsOrderDropsRest() {
        List<Access> requested = List.of(Access.push("team-a/app"), Access.delete("team-a/app"), Access.pull("team-a/app"),
                Access.pull("pub/app"));

        Set<Access> granted = POLICY.granted(DAVE, requested);

        assertThat(granted).containsExactly(Access.push("team-a/app"), Access.pull("team-a/app"), Access.pull("pub/app"));
        assertThat(POLICY.permits(DAVE, requested)).isFalse();
    }

    @Test
    void defaultRole_appliesToUnlistedProjectsOnly() {
        AccessConfig withDefault = new AccessConfig(true, AccessConfig.Grantees.NONE, Role.READER, CONFIG.projects());
        ProjectAccessPolicy policy = new ProjectAccessPolicy(withDefault);

        assertThat(policy.permits(NOBODY, List.of(Access.pull("other/app")))).isTrue();
        assertThat(policy.permits(NOBODY, List.of(Access.push("other/app")))).isFalse();
        assertThat(policy.permits(ANONYMOUS, List.of(Access.pull("other/app")))).as("anonymous").isFalse();
        assertThat(policy.permits(NOBODY, List.of(Access.pull("team-a/app")))).as("listed project").isFalse();
        assertThat(POLICY.permits(NOBODY, List.of(Access.pull("other/app")))).as("without a default").isFalse();
    }

    @Test
    void isAdmin_onlyForNamedAdmins() {
        assertThat(POLICY.isAdmin(ROOT)).isTrue();
        assertThat(POLICY.isAdmin(GROUP_ADMIN)).isTrue();
        assertThat(POLICY.isAdmin(RELEASE_ROBOT)).isTrue();
        assertThat(POLICY.isAdmin(Principal.user("release-bot"))).as("user named like an admin robot").isFalse();
        assertThat(POLICY.isAdmin(new Principal("root", Principal.Kind.ROBOT, Set.of()))).as("robot named like an admin user").isFalse();
        assertThat(POLICY.isAdmin(ADA)).isFalse();
        assertThat(POLICY.isAdmin(ANONYMOUS)).isFalse();
    }

    private static Access all(String repository) {
        return new Access("repository", repository, "*");
    }

    private static Arguments row(Principal principal, Access access, boolean expected) {
        return Arguments.of(principal, access, expected);
    }

    private static AccessConfig.Project project(String pattern, boolean anonymousPull, Map<String, Role> users, Map<String, Role> groups,
            Map<String, Role> robots) {
        return new AccessConfig.Project(pattern, anonymousPull, users, groups, robots);
    }
}

package io.entrepot.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.entrepot.config.AccessConfig.Role;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loads Entrepot's {@code access} section and rejects every invalid form of it by key and value. */
class AccessConfigTest {

    @TempDir
    Path directory;

    private String minimal;

    @BeforeEach
    void createHtpasswd() throws IOException {
        Path htpasswd = Files.writeString(directory.resolve("htpasswd"), "");
        minimal = """
                version: 0.1
                storage: {inmemory: {}}
                auth:
                  htpasswd:
                    path: %s
                """.formatted(htpasswd);
    }

    @Test
    void access_mapsEveryKey() throws Exception {
        String yaml = minimal + """
                access:
                  admins:
                    users: [root]
                    groups: registry-admins
                    robots: [release]
                  default: reader
                  projects:
                    team-a:
                      anonymous: pull
                      users: {alice: maintainer, john.doe: developer}
                      groups: {team-a-devs: developer}
                      robots: {ci-team-a: developer}
                    "team-*":
                      groups: {staff: reader}
                """;

        AccessConfig access = load(yaml, Map.of()).config().access();

        assertThat(access.enabled()).isTrue();
        assertThat(access.admins().users()).containsExactly("root");
        assertThat(access.admins().groups()).containsExactly("registry-admins");
        assertThat(access.admins().robots()).containsExactly("release");
        assertThat(access.defaultRole()).isEqualTo(Role.READER);
        assertThat(access.projects()).extracting(AccessConfig.Project::pattern).containsExactly("team-a", "team-*");
        AccessConfig.Project teamA = access.projects().get(0);
        assertThat(teamA.anonymousPull()).isTrue();
        assertThat(teamA.users()).containsEntry("alice", Role.MAINTAINER).containsEntry("john.doe", Role.DEVELOPER);
        assertThat(teamA.groups()).containsEntry("team-a-devs", Role.DEVELOPER);
        assertThat(teamA.robots()).containsEntry("ci-team-a", Role.DEVELOPER);
        assertThat(access.projects().get(1).anonymousPull()).isFalse();
    }

    @Test
    void absent_isNotEnabled() throws Exception {
        AccessConfig access = load(minimal, Map.of()).config().access();

        assertThat(access.enabled()).isFalse();
    }

    @Test
    void defaultNoneAlone_grantsNothing() throws Exception {
        ConfigException error = loadExpectingFailure(minimal + "access:\n  default: none\n");

        assertThat(error.problems()).extracting(ConfigProblem::key).containsExactly("access");
        assertThat(error.getMessage()).contains("grants nothing");
    }

    @Test
    void invalidValues_areReportedByKeyAndValue() throws Exception {
        String yaml = minimal + """
                access:
                  default: owner
                  admin: [root]
                  projects:
                    team-a:
                      users: {alice: writer, bob: , "": reader}
                      anonymous: push
                      readers: [carol]
                    team-b: {}
                    Team_C:
                      users: {dan: reader}
                    team-d:
                      groups: [devs]
                """;

        ConfigException error = loadExpectingFailure(yaml);

        assertThat(error.problems()).extracting(ConfigProblem::key).containsExactlyInAnyOrder(
                "access.default", "access.admin",
                "access.projects.team-a.users.alice", "access.projects.team-a.users.bob", "access.projects.team-a.users",
                "access.projects.team-a.anonymous", "access.projects.team-a.readers",
                "access.projects.team-b", "access.projects.Team_C", "access.projects.team-d.groups");
        assertThat(error.getMessage())
                .contains("access.default: unknown role, must be none, reader, developer, maintainer or admin (value \"owner\")")
                .contains("access.projects.team-a.users.alice: unknown role, must be reader, developer, maintainer or admin (value \"writer\")")
                .contains("access.projects.team-a.users.bob: empty grant")
                .contains("access.projects.team-a.anonymous: must be pull or none")
                .contains("access.admin: unknown key, did you mean admins? expected one of admins, default, projects")
                .contains("access.projects.team-b: empty grant")
                .contains("invalid project name \"Team_C\"");
    }

    @Test
    void unknownRole_reportedOnce() throws Exception {
        ConfigException error = loadExpectingFailure(minimal + "access:\n  projects:\n    team-a:\n      users: {alice: writer}\n");

        assertThat(error.problems()).extracting(ConfigProblem::key).containsExactly("access.projects.team-a.users.alice");
        assertThat(error.getMessage()).doesNotContain("grants nothing");
    }

    @Test
    void misspeltSection_reportedOnce() throws Exception {
        ConfigException error = loadExpectingFailure(minimal + "access:\n  projets:\n    team-a:\n      users: {alice: reader}\n");

        assertThat(error.problems()).extracting(ConfigProblem::key).containsExactly("access.projets");
        assertThat(error.getMessage()).contains("access.projets: unknown key, did you mean projects?");
        assertThat(error.getMessage()).doesNotContain("grants nothing");
    }

    @Test
    void withoutAuth_stopsStart() throws Exception {
        String yaml = """
                version: 0.1
                storage: {inmemory: {}}
                access:
                  projects:
                    pub: {anonymous: pull}
                """;

        ConfigException error = loadExpectingFailure(yaml);

        assertThat(error.problems()).extracting(ConfigProblem::key).containsExactly("access");
        assertThat(error.getMessage()).contains("access: needs authentication");
    }

    @Test
    void withExternalToken_stopsStart() throws Exception {
        Path bundle = Files.writeString(directory.resolve("bundle.crt"), "certificate");
        String yaml = """
                version: 0.1
                storage: {inmemory: {}}
                auth:
                  token: {realm: "http://127.0.0.1:5001/token", service: registry, issuer: tokens, rootcertbundle: %s}
                access:
                  admins: {users: [root]}
                """.formatted(bundle);

        ConfigException error = loadExpectingFailure(yaml);

        assertThat(error.problems()).extracting(ConfigProblem::key).containsExactly("access");
        assertThat(error.getMessage()).contains("cannot be enforced with auth.token");
    }

    @Test
    void environment_overridesDefaultAndWholeProjects() throws Exception {
        String yaml = minimal + "access:\n  default: reader\n";
        Map<String, String> environment = Map.of(
                "REGISTRY_ACCESS_DEFAULT", "developer",
                "REGISTRY_ACCESS_ADMINS_USERS", "[root, ops]",
                "REGISTRY_ACCESS_PROJECTS", "{team-a: {users: {alice: maintainer}}}");

        AccessConfig access = load(yaml, environment).config().access();

        assertThat(access.defaultRole()).isEqualTo(Role.DEVELOPER);
        assertThat(access.admins().users()).containsExactlyInAnyOrder("root", "ops");
        assertThat(access.projects()).singleElement().satisfies(project -> {
            assertThat(project.pattern()).isEqualTo("team-a");
            assertThat(project.users()).containsEntry("alice", Role.MAINTAINER);
        });
    }

    private LoadedConfig load(String yaml, Map<String, String> environment) throws IOException, ConfigException {
        Path file = directory.resolve("config.yml");
        Files.writeString(file, yaml);
        return ConfigLoader.load(file, environment);
    }

    private ConfigException loadExpectingFailure(String yaml) throws IOException {
        Path file = directory.resolve("config.yml");
        Files.writeString(file, yaml);
        ConfigException error = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(file, Map.of()));
        assertThat(error).as("loading should fail").isNotNull();
        return error;
    }
}

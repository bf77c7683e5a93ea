package io.entrepot.cli;

import io.entrepot.config.ConfigException;
import io.entrepot.config.ConfigLoader;
import io.entrepot.config.ConfigPrinter;
import io.entrepot.config.ConfigProblem;
import io.entrepot.config.LoadedConfig;
import io.entrepot.http.StartupFiles;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code entrepot config check CONFIG}. */
@Command(name = "config", mixinStandardHelpOptions = true, description = "Work with configuration files.",
        subcommands = ConfigCommand.Check.class)
final class ConfigCommand {

    @Command(
            name = "check",
            mixinStandardHelpOptions = true,
            description = {
                "Validate CONFIG and print the effective configuration, with defaults and REGISTRY_* environment overrides applied and secrets masked.",
                "Also reads the local files that serve reads at start-up (TLS, htpasswd, token keys, robots, LDAP CA), but opens no port"
                        + " and contacts no server such as Redis, S3 or LDAP.",
                "Exit status: 0 when valid, 2 when not."
            })
    static final class Check implements Callable<Integer> {

        @Parameters(index = "0", paramLabel = "CONFIG", description = "configuration file in registry:2's config.yml format")
        Path configFile;

        @Override
        public Integer call() {
            LoadedConfig loaded;
            try {
                loaded = ConfigLoader.load(configFile, System.getenv());
            } catch (ConfigException e) {
                System.err.println("entrepot: " + e.getMessage());
                return 2;
            }
            List<ConfigProblem> fileProblems = StartupFiles.check(loaded.config());
            if (!fileProblems.isEmpty()) {
                System.err.println("entrepot: " + new ConfigException(configFile.toString(), fileProblems, loaded.warnings()).getMessage());
                return 2;
            }
            for (String warning : loaded.warnings()) {
                System.err.println("warning: " + warning);
            }
            List<String> notContacted = StartupFiles.notContacted(loaded.config());
            if (!notContacted.isEmpty()) {
                System.err.println("note: not contacted, so not checked: " + String.join("; ", notContacted));
            }
            System.out.print(ConfigPrinter.toYaml(loaded));
            return 0;
        }
    }
}

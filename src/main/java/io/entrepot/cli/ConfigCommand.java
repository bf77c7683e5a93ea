package io.entrepot.cli;

import io.entrepot.config.ConfigException;
import io.entrepot.config.ConfigLoader;
import io.entrepot.config.ConfigPrinter;
import io.entrepot.config.LoadedConfig;
import java.nio.file.Path;
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
                System.err.println("entrepot: invalid configuration: " + e.getMessage());
                return 2;
            }
            for (String warning : loaded.warnings()) {
                System.err.println("warning: " + warning);
            }
            System.out.print(ConfigPrinter.toYaml(loaded));
            return 0;
        }
    }
}

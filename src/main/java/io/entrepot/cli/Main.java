package io.entrepot.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code entrepot} command line: one subcommand per operation. */
@Command(
        name = "entrepot",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "A container registry that speaks the OCI Distribution API and reads registry:2 configuration and storage.",
        subcommands = {ServeCommand.class, ConfigCommand.class, GarbageCollectCommand.class, VerifyCommand.class, RetentionCommand.class,
            RobotCommand.class, CommandLine.HelpCommand.class})
public final class Main {

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns its exit status, for tests. */
    public static int run(String... args) {
        return new CommandLine(new Main()).setCaseInsensitiveEnumValuesAllowed(true).execute(args);
    }
}

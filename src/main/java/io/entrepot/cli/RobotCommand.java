package io.entrepot.cli;

import io.entrepot.auth.Robots;
import io.entrepot.config.AuthConfig;
import io.entrepot.config.IdentityBackendConfig;
import io.entrepot.config.LoadedConfig;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code entrepot robot create|list|delete CONFIG}: the robot accounts of {@code auth.builtin.robots}. */
@Command(name = "robot", mixinStandardHelpOptions = true,
        description = "Manage the robot accounts of the built-in token server (auth.builtin.robots.path).",
        subcommands = {RobotCommand.Create.class, RobotCommand.ListRobots.class, RobotCommand.Delete.class})
final class RobotCommand {

    /** Exit status when the robot file cannot be changed as requested, such as a name that is taken. */
    static final int EXIT_FAILED = 1;

    /** Runs {@code change} on the robots file of {@code configFile} under a file lock, so that two robot commands cannot lose each other's change. */
    private static int withRobots(Path configFile, RobotsChange change) {
        LoadedConfig loaded = MaintenanceCommands.load(configFile);
        if (loaded == null) {
            return MaintenanceCommands.EXIT_USAGE;
        }
        Path file = robotsFile(loaded);
        if (file == null) {
            System.err.println("entrepot: " + configFile + " has no auth.builtin.robots.path; add it to use robot accounts");
            return MaintenanceCommands.EXIT_USAGE;
        }
        Path lockFile = file.resolveSibling(file.getFileName() + ".lock");
        try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock ignored = channel.lock()) {
            return change.apply(file, Robots.load(file));
        } catch (IOException e) {
            System.err.println("entrepot: " + e.getMessage());
            return EXIT_FAILED;
        } catch (IllegalArgumentException e) {
            System.err.println("entrepot: " + e.getMessage());
            return EXIT_FAILED;
        }
    }

    private static Path robotsFile(LoadedConfig loaded) {
        if (loaded.config().auth() instanceof AuthConfig.Builtin builtin) {
            for (IdentityBackendConfig backend : builtin.backends()) {
                if (backend instanceof IdentityBackendConfig.Robots robots) {
                    return robots.path();
                }
            }
        }
        return null;
    }

    private interface RobotsChange {
        int apply(Path file, Robots robots) throws IOException;
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = {"Create robot NAME with a new random secret, store only the secret's bcrypt hash, and print the secret once.",
                "NAME gets the prefix " + Robots.PREFIX + " when it lacks it. Log in with --creds " + Robots.PREFIX + "NAME:SECRET."})
    static final class Create implements Callable<Integer> {

        @Parameters(index = "0", paramLabel = "CONFIG", description = "configuration file with auth.builtin.robots.path")
        Path configFile;

        @Parameters(index = "1", paramLabel = "NAME", description = "robot name: lower-case letters and digits, with . - or _ between them")
        String name;

        @Option(names = "--description", paramLabel = "TEXT", description = "what the robot is for, shown by robot list")
        String description;

        @Override
        public Integer call() {
            return withRobots(configFile, (file, robots) -> {
                Robots.Created created = robots.create(name, description, Clock.systemUTC().instant());
                robots.with(created.robot()).save(file);
                System.err.println("robot " + created.robot().name() + " created; its secret follows and is shown only this once");
                System.out.println(created.secret());
                return 0;
            });
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the robots: name, creation time and description, one per line.")
    static final class ListRobots implements Callable<Integer> {

        @Parameters(index = "0", paramLabel = "CONFIG", description = "configuration file with auth.builtin.robots.path")
        Path configFile;

        @Override
        public Integer call() {
            return withRobots(configFile, (file, robots) -> {
                for (Robots.Robot robot : robots.list()) {
                    System.out.println(robot.name() + "\t" + robot.created() + "\t" + robot.description());
                }
                return 0;
            });
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true,
            description = "Delete robot NAME. Its tokens stop working when they expire, and its refresh tokens at once.")
    static final class Delete implements Callable<Integer> {

        @Parameters(index = "0", paramLabel = "CONFIG", description = "configuration file with auth.builtin.robots.path")
        Path configFile;

        @Parameters(index = "1", paramLabel = "NAME", description = "robot name, with or without the prefix " + Robots.PREFIX)
        String name;

        @Override
        public Integer call() {
            return withRobots(configFile, (file, robots) -> {
                robots.without(name).save(file);
                System.err.println("robot " + Robots.robotName(name) + " deleted");
                return 0;
            });
        }
    }
}

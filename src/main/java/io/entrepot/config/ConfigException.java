package io.entrepot.config;

import java.util.List;
import java.util.stream.Collectors;

/**
 * Configuration that cannot be used to start the registry. The message lists every problem found,
 * one per line, so an operator fixes them all in one pass.
 */
public final class ConfigException extends Exception {

    private final List<ConfigProblem> problems;

    public ConfigException(String source, List<ConfigProblem> problems) {
        this(source, problems, List.of());
    }

    /** Creates an exception that also lists the warnings found, such as misspelt keys, which often explain the errors. */
    public ConfigException(String source, List<ConfigProblem> problems, List<String> warnings) {
        super(describe(source, problems) + warnings.stream().map(warning -> "\nwarning: " + warning).collect(Collectors.joining()));
        this.problems = List.copyOf(problems);
    }

    /** Creates an exception for a file that could not be used at all, such as one that is not a YAML mapping. */
    public ConfigException(String message) {
        this(message, (Throwable) null);
    }

    /** Creates an exception for a file that could not be read or parsed at all. */
    public ConfigException(String message, Throwable cause) {
        super(message, cause);
        this.problems = List.of();
    }

    /** Returns the problems in the order they were found, or an empty list when the file could not be read. */
    public List<ConfigProblem> problems() {
        return problems;
    }

    private static String describe(String source, List<ConfigProblem> problems) {
        String header = problems.size() == 1
                ? "invalid configuration in " + source + ":"
                : "invalid configuration in " + source + " (" + problems.size() + " problems):";
        return problems.stream().map(ConfigProblem::toString).collect(Collectors.joining("\n", header + "\n", ""));
    }
}

package io.entrepot.registry;

import java.util.regex.Pattern;

/**
 * A name pattern for repositories and tags: {@code *} matches any characters except {@code /},
 * {@code **} matches any characters including {@code /}, and every other character matches
 * itself. {@code team/*} matches {@code team/app} but not {@code team/app/cache}.
 */
public record Glob(String pattern, Pattern regex) {

    /** Compiles {@code pattern}. */
    public static Glob of(String pattern) {
        StringBuilder regex = new StringBuilder();
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c == '*' && i + 1 < pattern.length() && pattern.charAt(i + 1) == '*') {
                regex.append(".*");
                i++;
            } else if (c == '*') {
                regex.append("[^/]*");
            } else {
                regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return new Glob(pattern, Pattern.compile(regex.toString()));
    }

    public boolean matches(String name) {
        return regex.matcher(name).matches();
    }

    @Override
    public String toString() {
        return pattern;
    }
}

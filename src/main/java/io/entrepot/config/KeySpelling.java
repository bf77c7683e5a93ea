package io.entrepot.config;

import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * Finds the known configuration keys that an unknown key is likely a misspelling of.
 *
 * <p>Two names are close when their optimal string alignment distance, ignoring case, is at most
 * 1 for a known name of up to four characters and at most 2 for a longer one. That distance
 * counts insertions, deletions, substitutions and swaps of two adjacent characters, so
 * {@code auht}, {@code acces}, {@code enable} and {@code Auth} are all close to a known key,
 * while {@code foo} is close to no key under {@code http}. Short names get the smaller limit
 * because two edits turn most four-letter names into another one.
 */
final class KeySpelling {

    private KeySpelling() {}

    /** Returns the names in {@code known} that are close to {@code unknown}, closest first, then in alphabetical order. */
    static List<String> closeNames(String unknown, Collection<String> known) {
        return known.stream()
                .filter(name -> distance(unknown, name) <= maxDistance(name))
                .sorted(Comparator.comparingInt((String name) -> distance(unknown, name)).thenComparing(Comparator.naturalOrder()))
                .toList();
    }

    private static int maxDistance(String knownName) {
        return knownName.length() <= 4 ? 1 : 2;
    }

    /** Returns the optimal string alignment distance between {@code a} and {@code b}, ignoring case. */
    static int distance(String a, String b) {
        String s = a.toLowerCase(Locale.ROOT);
        String t = b.toLowerCase(Locale.ROOT);
        int[][] d = new int[s.length() + 1][t.length() + 1];
        for (int i = 0; i <= s.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= t.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= s.length(); i++) {
            for (int j = 1; j <= t.length(); j++) {
                int cost = s.charAt(i - 1) == t.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                boolean swapped = i > 1 && j > 1 && s.charAt(i - 1) == t.charAt(j - 2) && s.charAt(i - 2) == t.charAt(j - 1);
                if (swapped) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[s.length()][t.length()];
    }
}

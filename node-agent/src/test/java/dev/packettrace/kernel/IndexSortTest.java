// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class IndexSortTest {

    /** The JDK's List.sort is stable too: the permutations must be identical, ties included. */
    private static int[] reference(int[] keys) {
        List<Integer> idx =
                new ArrayList<>(IntStream.range(0, keys.length).boxed().toList());
        idx.sort(Comparator.comparingInt(i -> keys[i]));
        return idx.stream().mapToInt(Integer::intValue).toArray();
    }

    @Test
    void ordersLikeAStableSortAtEverySizeAroundTheRunAndMergeBoundaries() {
        SplittableRandom random = new SplittableRandom(42);
        int r = IndexSort.RUN;
        for (int n : new int[] {0, 1, 2, r - 1, r, r + 1, 2 * r, 2 * r + 1, 3 * r + 5, 1000, 4099, 123_457}) {
            // few distinct keys: many ties, so stability is exercised
            int[] keys = random.ints(n, 0, Math.max(1, n / 7)).toArray();
            assertArrayEquals(
                    reference(keys), IndexSort.sortedIndices(n, (a, b) -> Integer.compare(keys[a], keys[b])), "n=" + n);
        }
    }

    @Test
    void reversedAndAlreadySortedInput() {
        int n = 10_000;
        int[] descending = IntStream.range(0, n).map(i -> n - i).toArray();
        assertArrayEquals(
                reference(descending),
                IndexSort.sortedIndices(n, (a, b) -> Integer.compare(descending[a], descending[b])));
        int[] ascending = IntStream.range(0, n).toArray();
        assertArrayEquals(ascending, IndexSort.sortedIndices(n, (a, b) -> Integer.compare(ascending[a], ascending[b])));
    }
}

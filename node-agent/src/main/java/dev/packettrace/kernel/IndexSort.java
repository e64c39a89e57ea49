// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.kernel;

/**
 * Stable sort of an index permutation by a comparator over indices, without boxing: the symbol tables are
 * parallel primitive arrays, and sorting {@code Integer[]} would allocate an object per symbol.
 *
 * <p>Bottom-up (insertion-sorted runs, then merge passes) and one loop per method, because this runs once
 * at start-up and C2 compiles it on stack: a recursive merge sort let C2 inline the recursion and the
 * comparator at every call site into one compilation whose 13-21 MB arena showed in the tracer's peak RSS.
 */
final class IndexSort {

    @FunctionalInterface
    interface IndexComparator {
        int compare(int a, int b);
    }

    static final int RUN = 24;

    private IndexSort() {}

    /** Returns 0..n-1 ordered by {@code cmp}; equal elements keep their original order. */
    static int[] sortedIndices(int n, IndexComparator cmp) {
        int[] idx = identity(n);
        if (isSorted(idx, cmp)) {
            return idx;
        }
        sortRuns(idx, cmp);
        int[] src = idx;
        int[] dst = new int[n];
        for (int width = RUN; width < n; width *= 2) {
            mergePass(src, dst, width, cmp);
            int[] t = src;
            src = dst;
            dst = t;
        }
        return src;
    }

    private static int[] identity(int n) {
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) {
            idx[i] = i;
        }
        return idx;
    }

    private static boolean isSorted(int[] idx, IndexComparator cmp) {
        for (int i = 1; i < idx.length; i++) {
            if (cmp.compare(idx[i - 1], idx[i]) > 0) {
                return false;
            }
        }
        return true;
    }

    /** Insertion-sorts each run of {@link #RUN} elements. */
    private static void sortRuns(int[] a, IndexComparator cmp) {
        for (int from = 0; from < a.length; from += RUN) {
            int to = Math.min(from + RUN, a.length);
            for (int i = from + 1; i < to; i++) {
                int v = a[i];
                int j = i - 1;
                while (j >= from && cmp.compare(a[j], v) > 0) {
                    a[j + 1] = a[j];
                    j--;
                }
                a[j + 1] = v;
            }
        }
    }

    /** Merges each pair of adjacent sorted runs of {@code width} from src into dst. */
    private static void mergePass(int[] src, int[] dst, int width, IndexComparator cmp) {
        int n = src.length;
        for (int from = 0; from < n; from += 2 * width) {
            int mid = Math.min(from + width, n);
            int to = Math.min(from + 2 * width, n);
            int i = from;
            int j = mid;
            int k = from;
            // ties take the left run first: stable
            while (i < mid && j < to) {
                dst[k++] = cmp.compare(src[j], src[i]) < 0 ? src[j++] : src[i++];
            }
            System.arraycopy(src, i, dst, k, mid - i);
            System.arraycopy(src, j, dst, k + mid - i, to - j);
        }
    }
}

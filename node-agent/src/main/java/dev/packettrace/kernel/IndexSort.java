package dev.packettrace.kernel;

/**
 * Stable sort of an index permutation by a comparator over indices, without boxing: the symbol tables are
 * parallel primitive arrays, and sorting {@code Integer[]} would allocate an object per symbol.
 */
final class IndexSort {

    @FunctionalInterface
    interface IndexComparator {
        int compare(int a, int b);
    }

    private static final int INSERTION_THRESHOLD = 24;

    private IndexSort() {
    }

    /** Returns 0..n-1 ordered by {@code cmp}; equal elements keep their original order. */
    static int[] sortedIndices(int n, IndexComparator cmp) {
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) {
            idx[i] = i;
        }
        if (isSorted(idx, cmp)) {
            return idx;
        }
        int[] tmp = new int[n];
        mergeSort(idx, tmp, 0, n, cmp);
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

    private static void mergeSort(int[] a, int[] tmp, int from, int to, IndexComparator cmp) {
        if (to - from <= INSERTION_THRESHOLD) {
            for (int i = from + 1; i < to; i++) {
                int v = a[i];
                int j = i - 1;
                while (j >= from && cmp.compare(a[j], v) > 0) {
                    a[j + 1] = a[j];
                    j--;
                }
                a[j + 1] = v;
            }
            return;
        }
        int mid = (from + to) >>> 1;
        mergeSort(a, tmp, from, mid, cmp);
        mergeSort(a, tmp, mid, to, cmp);
        if (cmp.compare(a[mid - 1], a[mid]) <= 0) {
            return;
        }
        System.arraycopy(a, from, tmp, from, to - from);
        int i = from;
        int j = mid;
        int k = from;
        while (i < mid && j < to) {
            a[k++] = cmp.compare(tmp[j], tmp[i]) < 0 ? tmp[j++] : tmp[i++];
        }
        while (i < mid) {
            a[k++] = tmp[i++];
        }
        while (j < to) {
            a[k++] = tmp[j++];
        }
    }
}

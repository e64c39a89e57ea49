// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.output;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.OptionalLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

class ClockOffsetTest {

    @Test
    void parsesTheTimerListNowLine() {
        assertEquals(OptionalLong.of(5193112902097L), ClockOffset.parseTimerListNow("now at 5193112902097 nsecs"));
        assertEquals(OptionalLong.empty(), ClockOffset.parseTimerListNow("Timer List Version: v0.10"));
    }

    @Test
    void parsesUptimeToNanoseconds() {
        assertEquals(5_193_110_000_000L, ClockOffset.parseUptimeNanos("5193.11 10264.23\n"));
        assertEquals(7_500_000_000L, ClockOffset.parseUptimeNanos("7.5 1.0"));
        assertThrows(IllegalArgumentException.class, () -> ClockOffset.parseUptimeNanos("garbage"));
    }

    @Test
    void convertsMonotonicToEpoch() {
        ClockOffset o = new ClockOffset(1_000, "test", 0);
        assertEquals(1_500, o.toEpochNanos(500));
    }

    /**
     * On this machine (root, /proc/timer_list readable): the precise source and the coarse one agree to within
     * the coarse one's 10 ms resolution plus slack, and the result maps "now" back to the wall clock.
     */
    @Test
    @Tag("privileged") // needs root: /proc/timer_list is readable by root only
    void timerListAndUptimeAgreeOnThisMachine() throws IOException {
        assertTrue(Files.isReadable(Path.of("/proc/timer_list")), "/proc/timer_list must be readable (run as root)");
        ClockOffset precise = ClockOffset.measureFromTimerList();
        ClockOffset coarse = ClockOffset.measureFromUptime();
        ClockOffset chosen = ClockOffset.measure();

        assertEquals("/proc/timer_list", chosen.source());
        assertTrue(precise.uncertaintyNs() < 5_000_000L, "bracket of " + precise.uncertaintyNs() + " ns");
        long diff = Math.abs(precise.epochMinusMonotonicNs() - coarse.epochMinusMonotonicNs());
        assertTrue(diff < 50_000_000L, "timer_list and uptime differ by " + diff + " ns");
        assertTrue(Math.abs(chosen.epochMinusMonotonicNs() - precise.epochMinusMonotonicNs()) < 5_000_000L);

        String uptime = Files.readString(Path.of("/proc/uptime"));
        long bootEpochNs = chosen.toEpochNanos(0);
        Instant now = Instant.now();
        long nowNs = now.getEpochSecond() * 1_000_000_000L + now.getNano();
        long uptimeNs = ClockOffset.parseUptimeNanos(uptime);
        assertTrue(
                Math.abs(nowNs - bootEpochNs - uptimeNs) < 100_000_000L,
                "the offset puts boot " + (nowNs - bootEpochNs) + " ns ago, uptime says " + uptimeNs);
    }
}

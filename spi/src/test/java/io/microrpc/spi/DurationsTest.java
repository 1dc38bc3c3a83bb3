package io.microrpc.spi;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationsTest {

    @Test
    void formatIsShortAndReadsBackExactly() {
        assertThat(Durations.format(Duration.ofSeconds(5))).isEqualTo("5s");
        assertThat(Durations.format(Duration.ofMillis(250))).isEqualTo("250ms");
        assertThat(Durations.format(Duration.ofSeconds(90))).isEqualTo("90s");
        assertThat(Durations.format(Duration.ofMinutes(2))).isEqualTo("2m");
        assertThat(Durations.format(Duration.ZERO)).isEqualTo("0s");
        for (Duration d : new Duration[] {
            Duration.ofSeconds(5),
            Duration.ofMillis(1500),
            Duration.ofSeconds(90),
            Duration.ofHours(3),
            Duration.ofNanos(1500),
            Duration.ofNanos(7),
            Duration.ZERO
        }) {
            assertThat(Durations.parse(Durations.format(d))).isEqualTo(d);
        }
    }
}

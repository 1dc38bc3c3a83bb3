package io.microrpc.kernel.internal.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.Snapshot;
import io.microrpc.spi.Status;
import io.microrpc.spi.Ticker;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class KernelMetricsTest {

    @Test
    void callsAreCountedByStatusAndTimedAndRenderedAsPrometheusText() {
        KernelMetrics metrics = new KernelMetrics(true, Ticker.system());
        CallMetrics echo = metrics.calls(KernelMetrics.Side.SERVER, "io.example.Echo", "echo");
        assertThat(metrics.calls(KernelMetrics.Side.SERVER, "io.example.Echo", "echo"))
                .as("one per method and side")
                .isSameAs(echo);
        for (int i = 1; i <= 100; i++) {
            echo.record(Status.Code.OK, i * 1_000_000L); // 1..100 ms
        }
        echo.record(Status.Code.APPLICATION_ERROR, 2_000_000L);
        metrics.gauge("microrpc_server_in_flight", () -> 3);

        String text = metrics.prometheus();

        assertThat(text)
                .contains("# TYPE microrpc_calls_total counter\n")
                .contains(
                        "microrpc_calls_total{side=\"server\",service=\"io.example.Echo\",method=\"echo\",status=\"OK\"} 100\n")
                .contains(
                        "microrpc_calls_total{side=\"server\",service=\"io.example.Echo\",method=\"echo\",status=\"APPLICATION_ERROR\"} 1\n")
                .doesNotContain("status=\"UNAVAILABLE\"")
                .contains("# TYPE microrpc_call_latency_seconds summary\n")
                .contains(
                        "microrpc_call_latency_seconds_count{side=\"server\",service=\"io.example.Echo\",method=\"echo\"} 101\n")
                .contains(
                        "microrpc_call_latency_seconds_sum{side=\"server\",service=\"io.example.Echo\",method=\"echo\"} 5.052\n")
                .contains("# TYPE microrpc_server_in_flight gauge\nmicrorpc_server_in_flight 3\n");
        assertThat(text)
                .containsPattern(
                        "microrpc_call_latency_seconds\\{side=\"server\",service=\"io.example.Echo\",method=\"echo\","
                                + "quantile=\"0.5\"} 0\\.050\\d+\n");
        assertThat(metrics.registry().getHistograms()).containsKey("microrpc.server.io.example.Echo.echo.latency");
        assertThat(metrics.registry()
                        .getCounters()
                        .get("microrpc.server.io.example.Echo.echo.status.OK")
                        .getCount())
                .isEqualTo(100);
    }

    @Test
    void anIntervalWithoutCallsHasNoQuantiles() {
        KernelMetrics metrics = new KernelMetrics(true, Ticker.system());
        metrics.calls(KernelMetrics.Side.CLIENT, "s", "m");
        assertThat(metrics.prometheus())
                .contains(
                        "microrpc_call_latency_seconds{side=\"client\",service=\"s\",method=\"m\",quantile=\"0.5\"} NaN\n")
                .contains("microrpc_call_latency_seconds_count{side=\"client\",service=\"s\",method=\"m\"} 0\n");
    }

    @Test
    void labelValuesAreEscaped() {
        assertThat(KernelMetrics.escape("a\"b\\c\nd")).isEqualTo("a\\\"b\\\\c\\nd");
    }

    @Test
    void disabledMetricsRecordNothing() {
        KernelMetrics metrics = new KernelMetrics(false, Ticker.system());
        assertThat(metrics.calls(KernelMetrics.Side.CLIENT, "s", "m")).isNull();
        assertThat(metrics.prometheus()).doesNotContain("microrpc_calls_total{");
    }

    @Test
    void aSnapshotCoversTheValuesSinceThePreviousOne() {
        AtomicLong now = new AtomicLong();
        HdrReservoir r = new HdrReservoir(now::get);
        for (int i = 1; i <= 1000; i++) {
            r.update(i);
        }
        Snapshot s = r.getSnapshot();
        assertThat(s.size()).isEqualTo(1000);
        assertThat(s.getMin()).isEqualTo(1);
        assertThat(s.getMax()).isEqualTo(1000);
        assertThat(s.getValue(0.5)).isBetween(499.0, 501.0);
        assertThat(s.getValues()).hasSize(1000).isSorted();
        r.update(2000);
        now.addAndGet(999_000_000L);
        assertThat(r.getSnapshot())
                .as("a read within a second shares the interval")
                .isSameAs(s);
        assertThat(r.size()).as("size() starts no interval").isEqualTo(1000);
        now.addAndGet(1_000_000L);
        Snapshot next = r.getSnapshot();
        assertThat(next.size())
                .as("the next interval: what came after the previous snapshot")
                .isEqualTo(1);
        assertThat(next.getMax()).isEqualTo(2000);
        assertThat(new HdrSnapshot(new Histogram(3)).getValue(0.99)).isZero();
    }
}

package io.microrpc.plugin.service.demo;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DefaultEchoServiceTest {

    private final DefaultEchoService echo = new DefaultEchoService();

    @Test
    void echoesWhatItIsSent() {
        byte[] payload = {1, 2, 3};

        assertThat(echo.echo("hello")).isEqualTo("hello");
        assertThat(echo.echo(null)).isNull();
        assertThat(echo.echoBytes(payload)).isSameAs(payload);
        assertThat(echo.echoAsync("later")).isCompletedWithValue("later");
    }

    @Test
    void fireCountsOneWayMessages() {
        echo.fire("a");
        echo.fire("b");

        assertThat(echo.firedCount()).isEqualTo(2);
    }
}

package dev.ricochet.ingest;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The one Host grammar of the edge and the admin port: host [":" port].
 */
class HostHeaderTest
{
    @ParameterizedTest
    @ValueSource(strings = {
        "", "go.example", "go.example:8080", "GO.Example", "127.0.0.1", "127.0.0.1:80", "[::1]", "[::1]:8080",
        "[2001:db8::7]:443", ":80", "a:", "a:0", "a:65535", "xn--bcher-kva.example", "a%2Db", "a_b~c", "a!$&'()*+;=b"
    })
    void acceptsAHostAndAnOptionalPort(final String host)
    {
        assertTrue(HostHeader.isValid(host), host);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "a:99999x", "a:65536", "a:123456", "a:-1", "a:+80", "a:8 0", "a:b", "a:80:80", "go.example, evil.example",
        "a,b", "user@evil.example", "evil.example/x", "a?b", "a#b", "a b", "a\tb", "a\\b", "[::1", "[]", "[::1]x",
        "[::1]:x", "[::1]]", "a%zz", "a%2", "a%", "bücher.example", "a\u0000b"
    })
    void refusesAnythingElse(final String host)
    {
        assertFalse(HostHeader.isValid(host), host);
    }
}

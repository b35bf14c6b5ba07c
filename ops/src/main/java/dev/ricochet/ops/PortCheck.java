package dev.ricochet.ops;

import dev.ricochet.aggregator.AggregatorConfiguration;
import dev.ricochet.ingest.Settings;
import dev.ricochet.tracker.TrackerConfiguration;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;

/**
 * Before anything starts, each configured port is tried once, so that a busy one stops start-up with one line naming
 * the port and the setting to change, instead of a bind error from deep in a half-started service.
 */
final class PortCheck
{
    private PortCheck()
    {
    }

    /**
     * @throws IllegalStateException naming the port, its flag and its setting if one is taken.
     * @throws IllegalArgumentException naming the key if a port setting is malformed.
     */
    static void requireFreePorts()
    {
        requireFree("edge", "--tracker-port", TrackerConfiguration.PORT_PROP_NAME, TrackerConfiguration.PORT_DEFAULT,
            TrackerConfiguration.BIND_ADDRESS_PROP_NAME, TrackerConfiguration.BIND_ADDRESS_DEFAULT);
        requireFree("admin API", "--admin-port", AggregatorConfiguration.ADMIN_PORT_PROP_NAME,
            AggregatorConfiguration.ADMIN_PORT_DEFAULT, AggregatorConfiguration.ADMIN_BIND_ADDRESS_PROP_NAME,
            AggregatorConfiguration.ADMIN_BIND_ADDRESS_DEFAULT);
    }

    /**
     * @param error what a start failed with.
     * @return whether it, or an exception it wraps, is a port already taken (a race with the check above).
     */
    static boolean isPortInUse(final Throwable error)
    {
        for (Throwable cause = error; null != cause; cause = cause.getCause())
        {
            // java.net.BindException and Netty's native "bind(..) failed with error(-98)" both say so
            if (null != cause.getMessage() && cause.getMessage().contains("Address already in use"))
            {
                return true;
            }
        }
        return false;
    }

    private static void requireFree(
        final String what,
        final String flag,
        final String portKey,
        final int portDefault,
        final String addressKey,
        final String addressDefault)
    {
        final int port = Settings.integer(portKey, portDefault, 0, 65_535);
        if (0 == port)
        {
            return; // any free port
        }
        final InetAddress address;
        try
        {
            address = InetAddress.getByName(Settings.string(addressKey, addressDefault));
        }
        catch (final UnknownHostException ex)
        {
            return; // the component itself refuses the address, naming its key
        }
        try (ServerSocket socket = new ServerSocket())
        {
            socket.setReuseAddress(true); // as the servers bind: a port in TIME_WAIT is free
            socket.bind(new InetSocketAddress(address, port));
        }
        catch (final IOException ex)
        {
            final String problem = isPortInUse(ex) ?
                " is already in use (another Ricochet or program listens there)" :
                " cannot be listened on (" + ex.getMessage() + ")";
            throw new IllegalStateException(what + " port " + port + " on " + address.getHostAddress() + problem +
                ": choose another with " + flag + " PORT or " + portKey + " (0 = any free port)");
        }
    }
}

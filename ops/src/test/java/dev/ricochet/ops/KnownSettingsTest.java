package dev.ricochet.ops;

import dev.ricochet.aggregator.AggregatorConfiguration;
import dev.ricochet.ingest.CrashPoints;
import dev.ricochet.ingest.Journal;
import dev.ricochet.ingest.JournalSpaceMonitor;
import dev.ricochet.tracker.TrackerConfiguration;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KnownSettingsTest
{
    @Test
    void shouldKnowEveryKeyTheModulesDeclare() throws Exception
    {
        // Every ricochet.* *_PROP_NAME constant is a key some module reads: the one list must hold each, or setting
        // it is refused.
        final Set<String> declared = new TreeSet<>();
        for (final Class<?> type : List.of(TrackerConfiguration.class, AggregatorConfiguration.class,
            CrashPoints.class, Journal.class, JournalSpaceMonitor.class, Launcher.class))
        {
            for (final Field field : type.getDeclaredFields())
            {
                if (Modifier.isStatic(field.getModifiers()) && field.getName().endsWith("PROP_NAME") &&
                    String.class == field.getType())
                {
                    field.setAccessible(true);
                    final String key = (String)field.get(null);
                    if (key.startsWith("ricochet."))
                    {
                        declared.add(key); // not Chronicle's own switches
                    }
                }
            }
        }

        assertTrue(declared.size() > 40, declared.toString());
        assertEquals(declared, new TreeSet<>(KnownSettings.KEYS));
    }

    @Test
    void shouldListExactlyTheKnownKeysInTheConfigurationReference() throws Exception
    {
        final Matcher row = Pattern.compile("(?m)^\\| `(ricochet\\.[a-z0-9.]+)`").matcher(
            Files.readString(Path.of("CONFIGURATION.md")));
        final Set<String> documented = new TreeSet<>();
        while (row.find())
        {
            documented.add(row.group(1));
        }

        assertEquals(new TreeSet<>(KnownSettings.KEYS), documented);
    }

    @Test
    void shouldHoldOnlyKnownKeysInTheExampleConfiguration() throws Exception
    {
        final Properties example = new Properties();
        try (InputStream in = Files.newInputStream(Path.of("config", "ricochet.properties")))
        {
            example.load(in);
        }

        assertTrue(KnownSettings.KEYS.containsAll(example.stringPropertyNames()), example.toString());
    }

    @Test
    void shouldNameTheNearestKeyByEditDistance()
    {
        assertEquals("ricochet.admin.port", KnownSettings.nearest("ricochet.admin.prot"));
        assertEquals("ricochet.tracker.bot.classifier", KnownSettings.nearest("RICOCHET.TRACKER.BOT.CLASIFIER"));
        assertEquals(2, KnownSettings.editDistance("port", "prot"));
    }
}

package io.mooring.persistence.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SchemaMigratorTest {
    @TempDir
    Path dir;

    private ClassLoader migrations(String index, String... files) throws Exception {
        Path folder = Files.createDirectories(dir.resolve("db/migration"));
        Files.writeString(folder.resolve("index"), index);
        for (int i = 0; i < files.length; i += 2) {
            Files.writeString(folder.resolve(files[i]), files[i + 1]);
        }
        return new URLClassLoader(new URL[] {dir.toUri().toURL()}, null);
    }

    @Test
    void appliesPendingMigrationsInOrderOnce() throws Exception {
        try (TestDatabase db = TestDatabase.create(TestDatabase.Kind.H2)) {
            ClassLoader v1 = migrations("V001__a.sql\n", "V001__a.sql", "CREATE TABLE a (x INTEGER);\n-- comment\nINSERT INTO a VALUES (1);");
            assertThat(new SchemaMigrator(v1).migrate(db.dataSource())).isEqualTo(1);
            ClassLoader v2 = migrations("V001__a.sql\nV002__b.sql\n", "V002__b.sql", "INSERT INTO a VALUES (2);");
            assertThat(new SchemaMigrator(v2).migrate(db.dataSource())).isEqualTo(2);
            assertThat(new SchemaMigrator(v2).migrate(db.dataSource())).isEqualTo(2);
            try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement();
                    var rs = s.executeQuery("SELECT COUNT(*) FROM a")) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(2);
            }
        }
    }

    @Test
    void refusesAnEditedMigrationAndANewerDatabase() throws Exception {
        try (TestDatabase db = TestDatabase.create(TestDatabase.Kind.H2)) {
            new SchemaMigrator(migrations("V001__a.sql\n", "V001__a.sql", "CREATE TABLE a (x INTEGER);")).migrate(db.dataSource());
            ClassLoader edited = migrations("V001__a.sql\n", "V001__a.sql", "CREATE TABLE a (x BIGINT);");
            assertThatThrownBy(() -> new SchemaMigrator(edited).migrate(db.dataSource()))
                    .isInstanceOf(SQLException.class).hasMessageContaining("changed after it was applied");

            try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
                s.execute("INSERT INTO schema_migration VALUES (7, 'from_the_future', 0, CURRENT_TIMESTAMP)");
            }
            ClassLoader original = migrations("V001__a.sql\n", "V001__a.sql", "CREATE TABLE a (x INTEGER);");
            assertThatThrownBy(() -> new SchemaMigrator(original).migrate(db.dataSource()))
                    .isInstanceOf(SQLException.class).hasMessageContaining("newer than this Mooring");
        }
    }

    @Test
    void aFailingMigrationIsRolledBackAndNotRecorded() throws Exception {
        try (TestDatabase db = TestDatabase.create(TestDatabase.Kind.H2)) {
            ClassLoader broken = migrations("V001__a.sql\n", "V001__a.sql", "CREATE TABLE a (x INTEGER);\nINSERT INTO nowhere VALUES (1);");
            assertThatThrownBy(() -> new SchemaMigrator(broken).migrate(db.dataSource())).hasMessageContaining("V1");
            try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement();
                    var rs = s.executeQuery("SELECT COUNT(*) FROM schema_migration")) {
                rs.next();
                assertThat(rs.getInt(1)).isZero();
            }
        }
    }

    @Test
    void h2RunsAMigrationsH2VariantAndPostgresTheMigrationItself() throws Exception {
        ClassLoader variants = migrations("V001__a.sql\n", "V001__a.sql", "CREATE TABLE a (x INTEGER);\nCREATE INDEX a_some ON a (x) WHERE x > 0;",
                "V001__a.h2.sql", "CREATE TABLE a (x INTEGER);\nCREATE INDEX a_some ON a (x);");
        for (TestDatabase.Kind kind : TestDatabase.Kind.values()) {
            try (TestDatabase db = TestDatabase.create(kind)) {
                assertThat(new SchemaMigrator(variants).migrate(db.dataSource())).isEqualTo(1);
                try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement();
                        var rs = s.executeQuery(kind == TestDatabase.Kind.H2
                                ? "SELECT COUNT(*) FROM INFORMATION_SCHEMA.INDEXES WHERE INDEX_NAME = 'A_SOME'"
                                : "SELECT COUNT(*) FROM pg_indexes WHERE indexname = 'a_some' AND indexdef LIKE '%WHERE%'")) {
                    rs.next();
                    assertThat(rs.getInt(1)).isEqualTo(1);
                }
            }
        }
    }
}

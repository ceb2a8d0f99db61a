// The PostgreSQL JDBC driver against the Strata server (compiled and run by jdbc.test.ts).
// Usage: java -cp postgresql.jar:DIR JdbcClient PORT
// Prints one "key=value" line per observation; the test compares them.
import java.math.BigDecimal;
import java.sql.*;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

public class JdbcClient {
  static void out(String key, Object value) {
    System.out.println(key + "=" + value);
  }

  public static void main(String[] args) throws Exception {
    String url = "jdbc:postgresql://127.0.0.1:" + args[0] + "/strata?connectTimeout=10&socketTimeout=60";
    try (Connection c = DriverManager.getConnection(url, "strata", "")) {
      DatabaseMetaData md = c.getMetaData();
      out("product", md.getDatabaseProductName() + " " + md.getDatabaseMajorVersion());

      try (Statement s = c.createStatement()) {
        s.execute("CREATE TABLE jdbc_metrics (id int PRIMARY KEY, big int8, time timestamptz NOT NULL, host text, value float8, price numeric(12,4), ok bool)");
        s.execute("CREATE VIEW jdbc_hot AS SELECT id, value FROM jdbc_metrics WHERE value > 10");
      }

      // PreparedStatement batch inserts inside a transaction
      c.setAutoCommit(false);
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO jdbc_metrics VALUES (?, ?, ?, ?, ?, ?, ?)")) {
        for (int i = 1; i <= 500; i++) {
          ps.setInt(1, i);
          ps.setLong(2, 10_000_000_000L + i);
          ps.setTimestamp(3, Timestamp.from(Instant.parse("2024-05-01T00:00:00Z").plusSeconds(i * 60L)));
          ps.setString(4, "host_" + (i % 4));
          ps.setDouble(5, i * 0.5);
          ps.setBigDecimal(6, new BigDecimal(i).movePointLeft(2));
          ps.setBoolean(7, i % 2 == 0);
          ps.addBatch();
        }
        int[] counts = ps.executeBatch();
        int sum = 0;
        for (int n : counts) sum += n;
        out("batch", counts.length + "/" + sum);
      }
      c.commit();
      c.setAutoCommit(true);

      // ResultSet getters
      try (PreparedStatement ps = c.prepareStatement("SELECT id, big, value, price, host, time, ok FROM jdbc_metrics WHERE id = ?")) {
        ps.setInt(1, 42);
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          out("getInt", rs.getInt("id"));
          out("getLong", rs.getLong("big"));
          out("getDouble", rs.getDouble("value"));
          out("getBigDecimal", rs.getBigDecimal("price"));
          out("getString", rs.getString("host"));
          out("getTimestamp", rs.getTimestamp("time").toInstant());
          out("getBoolean", rs.getBoolean("ok"));
          ResultSetMetaData m = rs.getMetaData();
          List<String> types = new ArrayList<>();
          for (int i = 1; i <= m.getColumnCount(); i++) types.add(m.getColumnTypeName(i));
          out("columnTypes", String.join(",", types));
        }
      }
      try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*), sum(big), avg(value) FROM jdbc_metrics")) {
        rs.next();
        out("aggregates", rs.getLong(1) + "," + rs.getBigDecimal(2) + "," + rs.getDouble(3));
      }
      // NULLs
      try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT NULL::int, NULL::text")) {
        rs.next();
        int v = rs.getInt(1);
        out("nullInt", v + "/" + rs.wasNull());
        out("nullString", rs.getString(2));
      }

      // DatabaseMetaData
      try (ResultSet rs = md.getTables(null, "public", "jdbc%", new String[] {"TABLE", "VIEW"})) {
        List<String> t = new ArrayList<>();
        while (rs.next()) t.add(rs.getString("TABLE_SCHEM") + "." + rs.getString("TABLE_NAME") + ":" + rs.getString("TABLE_TYPE"));
        out("getTables", String.join(",", t));
      }
      try (ResultSet rs = md.getColumns(null, "public", "jdbc_metrics", "%")) {
        List<String> cols = new ArrayList<>();
        while (rs.next()) cols.add(rs.getString("COLUMN_NAME") + ":" + rs.getString("TYPE_NAME") + ":" + rs.getInt("DATA_TYPE") + ":" + rs.getString("IS_NULLABLE"));
        out("getColumns", String.join(",", cols));
      }
      // getPrimaryKeys selects (information_schema._pg_expandarray(i.indkey)).n and compares a field of the
      // record passed through a subquery; a key declared (b, a) must come back in that order
      try (Statement s = c.createStatement()) {
        s.execute("CREATE TABLE jdbc_pk (a int, b text, c int, PRIMARY KEY (b, a))");
      }
      for (String table : new String[] {"jdbc_pk", "jdbc_metrics", "jdbc_hot"}) {
        try (ResultSet rs = md.getPrimaryKeys(null, "public", table)) {
          List<String> keys = new ArrayList<>();
          while (rs.next()) keys.add(rs.getString("TABLE_NAME") + "." + rs.getString("COLUMN_NAME") + ":" + rs.getShort("KEY_SEQ") + ":" + rs.getString("PK_NAME"));
          out("getPrimaryKeys", String.join(",", keys));
        }
      }
      try (ResultSet rs = md.getIndexInfo(null, "public", "jdbc_pk", false, false)) {
        List<String> ix = new ArrayList<>();
        while (rs.next()) ix.add(rs.getString("INDEX_NAME") + ":" + rs.getShort("ORDINAL_POSITION") + ":" + rs.getString("COLUMN_NAME") + ":" + rs.getBoolean("NON_UNIQUE") + ":" + rs.getString("ASC_OR_DESC"));
        out("getIndexInfo", String.join(",", ix));
      } catch (SQLException e) {
        out("getIndexInfo", "error " + e.getSQLState() + " " + e.getMessage());
      }
      // getImportedKeys/getExportedKeys: pgjdbc sizes its lookup of key columns by max_index_keys from pg_settings
      for (boolean imported : new boolean[] {true, false}) {
        try (ResultSet rs = imported ? md.getImportedKeys(null, "public", "jdbc_pk") : md.getExportedKeys(null, "public", "jdbc_pk")) {
          List<String> fk = new ArrayList<>();
          while (rs.next()) fk.add(rs.getString("FKTABLE_NAME") + "." + rs.getString("FKCOLUMN_NAME"));
          out(imported ? "getImportedKeys" : "getExportedKeys", String.join(",", fk));
        } catch (SQLException e) {
          out(imported ? "getImportedKeys" : "getExportedKeys", "error " + e.getSQLState() + " " + e.getMessage());
        }
      }
      try (ResultSet rs = md.getSchemas()) {
        List<String> sc = new ArrayList<>();
        while (rs.next()) sc.add(rs.getString("TABLE_SCHEM"));
        out("getSchemas", String.join(",", sc));
      }

      // errors: SQLState, and the connection is usable afterwards
      for (String q : new String[] {"SELECT * FROM nope", "INSERT INTO jdbc_metrics (id, time) VALUES (1, now())", "SELECT 1/0", "SELEC 1"}) {
        try (Statement s = c.createStatement()) {
          s.execute(q);
          out("error", "none");
        } catch (SQLException e) {
          out("error", e.getSQLState());
        }
      }
      c.setAutoCommit(false);
      try (Statement s = c.createStatement()) {
        try {
          s.execute("SELECT 1/0");
        } catch (SQLException e) {
          // ignored: the next statement must see the aborted transaction
        }
        try {
          s.execute("SELECT 1");
          out("aborted", "none");
        } catch (SQLException e) {
          out("aborted", e.getSQLState());
        }
      }
      c.rollback();
      c.setAutoCommit(true);
      try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT 7")) {
        rs.next();
        out("afterRollback", rs.getInt(1));
      }

      // an autocommit batch goes out as one pipeline (one Sync): a failing row rolls back the rows before it
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO jdbc_metrics (id, time) VALUES (?, now())")) {
        for (int id : new int[] {1001, 1002, 1, 1003}) {
          ps.setInt(1, id);
          ps.addBatch();
        }
        try {
          ps.executeBatch();
          out("failedBatch", "none");
        } catch (BatchUpdateException e) {
          out("failedBatch", e.getSQLState());
        }
      }
      try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM jdbc_metrics WHERE id > 1000")) {
        rs.next();
        out("afterFailedBatch", rs.getLong(1));
      }
    }
  }
}

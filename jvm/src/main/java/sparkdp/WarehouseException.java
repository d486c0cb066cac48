package sparkdp;

/**
 * The session's database under {@code spark.sql.warehouse.dir} could not be created, written, verified or
 * dropped. The message names the setting, its value and the cause. Python maps it to {@code RuntimeError}.
 *
 * <p>Example: {@code throw new WarehouseException("Cannot create database sparkdp_0123456789abcdef under
 * spark.sql.warehouse.dir=/tmp/wh: ...", cause);}
 */
public class WarehouseException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Example: {@code new WarehouseException("Table sparkdp_0123456789abcdef.query_0 has 3 rows, expected 4")}. */
  public WarehouseException(String message) {
    super(message);
  }

  /** Example: {@code new WarehouseException("Cannot write table ...", ioException)}. */
  public WarehouseException(String message, Throwable cause) {
    super(message, cause);
  }
}

package sparkdp; public class NativeException extends RuntimeException { public NativeException(String message) { super(message); } }

package sparkdp; public class InsufficientBudgetException extends RuntimeException { public InsufficientBudgetException(String message) { super(message); } }

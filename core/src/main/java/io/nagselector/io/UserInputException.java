package io.nagselector.io;

/** A problem with the user's files or options: printed as one line, never as a stack trace. */
public final class UserInputException extends RuntimeException {
  public UserInputException(String message) {
    super(message);
  }

  public UserInputException(String message, Throwable cause) {
    super(message, cause);
  }
}

export interface Prompter {
  /** Asks for a value without echoing it. */
  secret(message: string): Promise<string>;
  /** Asks a yes/no question; anything but yes is no. */
  confirm(message: string): Promise<boolean>;
  /** Asks for a line of text, echoed as it is typed. */
  ask(message: string): Promise<string>;
}

import { CallCommandError } from '../call-control.ts';

/** The target number routes nowhere (no callflow, no carrier): the command fails and the call stays as it was. */
export class UnknownTransferTarget extends CallCommandError {
  readonly target: string;
  constructor(target: string) {
    super('target', 'invalid', `No callflow or carrier route for target ${target}`);
    this.target = target;
  }
}

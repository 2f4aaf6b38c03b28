// The Web Worker that decodes and hashes a model file off the main thread.
import {
  answerDigestRequest,
  DigestMessage,
  IDigestRequest
} from './base64Digest';

interface IWorkerScope {
  onmessage: ((event: MessageEvent<IDigestRequest>) => void) | null;
  postMessage(message: DigestMessage): void;
}

const scope = self as unknown as IWorkerScope;

scope.onmessage = event => {
  void answerDigestRequest(event.data, message => scope.postMessage(message));
};

/**
 * A minimal CRI client (what kubelet or crictl speak to containerd): the
 * RuntimeService calls a pod with one container goes through, messages
 * encoded by hand with the field numbers of k8s.io/cri-api
 * pkg/apis/runtime/v1/api.proto. Only the fields these tests set or read.
 */
import { decode, encode, type Message, num, str, sub } from "./protobuf.ts";
import { grpcClient } from "./grpc.ts";

const SERVICE = "/runtime.v1.RuntimeService";

/** NamespaceMode.NODE: the host's namespace, so the pod needs no CNI network. */
const NODE = 2;

export interface PodConfig {
  name: string;
  uid: string;
  namespace: string;
  logDirectory: string;
}

export interface ContainerConfig {
  name: string;
  image: string;
  command: string[];
  /** Relative to the pod's log directory. */
  logPath: string;
}

export interface ContainerStatus {
  id: string;
  /** ContainerState: 0 created, 1 running, 2 exited, 3 unknown. */
  state: number;
  exitCode: number;
  logPath: string;
}

export const CONTAINER_RUNNING = 1;
export const CONTAINER_EXITED = 2;

function podSandboxConfig(pod: PodConfig): Message {
  return [
    [1, [[1, pod.name], [2, pod.uid], [3, pod.namespace], [4, 0]]], // metadata
    [3, pod.logDirectory],
    // linux.security_context.namespace_options.network = NODE
    [8, [[2, [[1, [[1, NODE]]]]]]],
  ];
}

export interface CriClient {
  runPodSandbox(pod: PodConfig, runtimeHandler: string): Promise<string>;
  createContainer(podId: string, pod: PodConfig, container: ContainerConfig): Promise<string>;
  startContainer(id: string): Promise<void>;
  containerStatus(id: string): Promise<ContainerStatus>;
  stopContainer(id: string, timeoutSeconds: number): Promise<void>;
  removeContainer(id: string): Promise<void>;
  stopPodSandbox(id: string): Promise<void>;
  removePodSandbox(id: string): Promise<void>;
  close(): void;
}

export function criClient(socket: string): CriClient {
  const grpc = grpcClient(socket);
  const call = async (method: string, request: Message) => decode(await grpc.call(`${SERVICE}/${method}`, encode(request)));
  return {
    runPodSandbox: async (pod, runtimeHandler) =>
      str(await call("RunPodSandbox", [[1, podSandboxConfig(pod)], [2, runtimeHandler]]), 1),
    createContainer: async (podId, pod, c) => {
      const config: Message = [
        [1, [[1, c.name], [2, 0]]], // metadata
        [2, [[1, c.image]]],
        ...c.command.map((arg): [number, string] => [3, arg]),
        [11, c.logPath],
      ];
      return str(await call("CreateContainer", [[1, podId], [2, config], [3, podSandboxConfig(pod)]]), 1);
    },
    startContainer: async (id) => void await call("StartContainer", [[1, id]]),
    containerStatus: async (id) => {
      const status = sub(await call("ContainerStatus", [[1, id]]), 1);
      return { id: str(status, 1), state: Number(num(status, 3)), exitCode: Number(BigInt.asIntN(32, num(status, 7))), logPath: str(status, 15) };
    },
    stopContainer: async (id, timeoutSeconds) => void await call("StopContainer", [[1, id], [2, timeoutSeconds]]),
    removeContainer: async (id) => void await call("RemoveContainer", [[1, id]]),
    stopPodSandbox: async (id) => void await call("StopPodSandbox", [[1, id]]),
    removePodSandbox: async (id) => void await call("RemovePodSandbox", [[1, id]]),
    close: () => grpc.close(),
  };
}

package io.modelreg;

/**
 * The result of {@link ModelRegistry#gc()}.
 *
 * @param deleted stored objects deleted because no version refers to them
 * @param bytesFreed their total size
 * @param kept stored objects still referenced
 */
public record GcReport(int deleted, long bytesFreed, int kept) {}

import ArgumentParser
import ColaEvaluation

/// `--selection auto|validation|cv|fixed` of `cola eval`.
extension ProbeOptions.Selection: ExpressibleByArgument {}

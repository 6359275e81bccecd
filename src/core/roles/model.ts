import type { Role } from '../../rbac/model.ts';

export interface RoleRecord extends Role {
  created_at: Date;
}
